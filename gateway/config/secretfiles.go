package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// readSecretFiles fills the secrets the config gives by file (camera
// password_file) before validation, as Kubernetes and systemd credentials
// mount them. Giving both a value and its file, or a file that cannot be
// read or is empty, is an error naming the key and its line; the secret
// itself never appears in an error. The cluster's store_file and
// secret_file are read where they are used (cluster.go).
func (c *Config) readSecretFiles() error {
	k := &checker{lines: c.lines}
	for i := range c.Stations {
		for j := range c.Stations[i].Cameras {
			cam := &c.Stations[i].Cameras[j]
			if cam.PasswordFile == "" {
				continue
			}
			key := fmt.Sprintf("stations[%d].cameras[%d].password_file", i, j)
			if cam.Password != "" {
				k.add(key, "", "give password or password_file, not both")
				continue
			}
			pw, err := readSecret(cam.PasswordFile)
			if err != nil {
				k.add(key, cam.PasswordFile, "%v", err)
				continue
			}
			cam.Password = pw
		}
	}
	return errors.Join(k.errs...)
}

// maxSecretFile bounds a secret file: a password or a URL, never more.
const maxSecretFile = 64 << 10

// readSecret reads a one-line secret file; the trailing newline editors
// and `kubectl create secret --from-file` leave is not part of it. Only a
// regular file (or a link to one, as Kubernetes mounts them) of at most
// 64 KiB is read: a device such as /dev/zero given by mistake is refused
// instead of hanging the start.
func readSecret(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the file: %w", unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("cannot read the file: %w", unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return "", errors.New("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("cannot read the file: %w", unwrapPath(err))
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("larger than %d bytes: not a secret", maxSecretFile)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", errors.New("the file is empty")
	}
	return s, nil
}

// unwrapPath drops the path from an os error: the caller names it already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
