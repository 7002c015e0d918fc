package config

import (
	"errors"
	"fmt"
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

// readSecret reads a one-line secret file; the trailing newline editors
// and `kubectl create secret --from-file` leave is not part of it.
func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named already
		}
		return "", fmt.Errorf("cannot read the file: %w", err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", errors.New("the file is empty")
	}
	return s, nil
}
