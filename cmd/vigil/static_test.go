package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"vigil/internal/testwait"
)

// TestDockerfileBuildsLikeTheTest keeps deploy/Dockerfile's build line and
// this package's build (dockerBuild) the same.
func TestDockerfileBuildsLikeTheTest(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	const line = `CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X vigil/gateway.Version=${VERSION}" -o /out/vigil ./cmd/vigil`
	if !strings.Contains(string(b), line) {
		t.Fatalf("deploy/Dockerfile does not build with\n  %s\n(update dockerBuild in proc_test.go with it)", line)
	}
	for _, want := range []string{"USER 65532:65532", "USER 10001:10001", `VOLUME ["/data"]`, "HEALTHCHECK", `"healthcheck"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("deploy/Dockerfile lacks %s", want)
		}
	}
}

// TestStaticBinaryRunsAsNobody builds vigil as the Dockerfile does, checks
// that it needs no dynamic loader or shared library (it runs on distroless
// static), and runs it from an empty directory as an unprivileged user
// (uid 65534 when the test runs as root) until `vigil healthcheck` sees
// /healthz answer.
func TestStaticBinaryRunsAsNobody(t *testing.T) {
	bin := vigilBinary(t)
	checkStatic(t, bin)

	dir, err := os.MkdirTemp("", "vigil-empty-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cams := startCameras(t, "cam0")
	cfg := cameraConfig(t, cams, "", "cam0")
	cfgCopy := filepath.Join(dir, "vigil.yaml")
	b, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfgCopy, b, 0o644); err != nil {
		t.Fatal(err)
	}
	asNobody := func(cmd *exec.Cmd) {
		cmd.Dir = dir
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
	}
	if os.Geteuid() == 0 {
		os.Chmod(dir, 0o755)
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	p := startVigil(t, asNobody, "-config", "vigil.yaml", "-http", "127.0.0.1:0",
		"-webrtc-udp", "127.0.0.1:0", "-webrtc-tcp", "127.0.0.1:0")
	base := p.baseURL()
	testwait.For(t, "vigil healthcheck to pass", func() bool {
		hc := exec.Command(bin, "healthcheck", base+"/healthz")
		asNobody(hc)
		out, err := hc.CombinedOutput()
		return err == nil && strings.TrimSpace(string(out)) == "healthy"
	})
	if uid := processUID(t, p.cmd.Process.Pid); os.Geteuid() == 0 && uid != "65534" {
		t.Fatalf("vigil runs as uid %s, want 65534", uid)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "vigil.db")); err != nil {
		t.Fatalf("the default -data ./data was not created in the working directory: %v", err)
	}
	if out, err := exec.Command(bin, "healthcheck", base+"/nothing-here").CombinedOutput(); err == nil {
		t.Fatalf("healthcheck of a 404 passed: %s", out)
	}
}

// checkStatic fails unless bin is an ELF executable without an
// interpreter or dynamic section (ldd: "not a dynamic executable").
func checkStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("%s has a %v program header: not static", bin, p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("%s needs shared libraries %v", bin, libs)
	}
	if ldd, err := exec.LookPath("ldd"); err == nil {
		out, _ := exec.Command(ldd, bin).CombinedOutput()
		if !strings.Contains(string(out), "not a dynamic executable") && !strings.Contains(string(out), "statically linked") {
			t.Fatalf("ldd %s: %s", bin, out)
		}
	}
}

func processUID(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Uid:" {
			return f[1]
		}
	}
	t.Fatal("no Uid line in /proc status")
	return ""
}
