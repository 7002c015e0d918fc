package config

import (
	"os"
	"path/filepath"
	"testing"
)

// hikCam is a second camera of goodStation given by vendor and host; its
// next key is on line 11.
const hikCam = goodStation + "      - id: c2\n        vendor: hikvision\n        host: 192.0.2.11\n        username: viewer\n"

func TestPasswordFileIsRead(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cam-password")
	if err := os.WriteFile(path, []byte("p@ss:word/1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse([]byte(hikCam + "        password_file: " + path + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	cam := cfg.Stations[0].Cameras[1]
	if cam.Password != "p@ss:word/1" {
		t.Fatalf("password %q, want the file's line without its newline", cam.Password)
	}
	if got := cam.MainURL(); got != "rtsp://viewer:p%40ss%3Aword%2F1@192.0.2.11:554/Streaming/Channels/101" {
		t.Fatalf("main URL %s", got)
	}
}

func TestBadPasswordFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	secret := filepath.Join(dir, "secret")
	os.WriteFile(empty, []byte("\n"), 0o600)
	os.WriteFile(secret, []byte("hunter2\n"), 0o600)
	missing := filepath.Join(dir, "missing")
	checkBadConfigs(t, []badConfig{
		{"both given", hikCam + "        password: hunter2\n        password_file: " + secret + "\n",
			`line 12: stations[0].cameras[1].password_file: give password or password_file, not both`},
		{"missing file", hikCam + "        password_file: " + missing + "\n",
			`line 11: stations[0].cameras[1].password_file "` + missing + `": cannot read the file: no such file or directory`},
		{"empty file", hikCam + "        password_file: " + empty + "\n",
			`line 11: stations[0].cameras[1].password_file "` + empty + `": the file is empty`},
		{"a device", hikCam + "        password_file: /dev/zero\n",
			`line 11: stations[0].cameras[1].password_file "/dev/zero": not a regular file`},
		{"a directory", hikCam + "        password_file: " + dir + "\n",
			`line 11: stations[0].cameras[1].password_file "` + dir + `": not a regular file`},
		{"with url", goodStation + "        password_file: " + secret + "\n",
			`line 7: stations[0].cameras[0].password_file: only used with vendor + host`},
	})
}

func TestClusterSecretFileErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, maxSecretFile+1), 0o600)
	for path, want := range map[string]string{
		filepath.Join(dir, "missing"): "cluster.secret_file " + filepath.Join(dir, "missing") + ": cannot read the file: no such file or directory",
		big:                           "cluster.secret_file " + big + ": larger than 65536 bytes: not a secret",
	} {
		_, err := Cluster{SecretFile: path}.Secret()
		if err == nil || err.Error() != want {
			t.Errorf("Secret() of %s: %v, want %s", path, err, want)
		}
	}
}
