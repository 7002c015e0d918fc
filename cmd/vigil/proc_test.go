package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"vigil/internal/testwait"
	"vigil/streams/sim"
)

const testAdminPassword = "lifecycle-admin-pass-1"

// dockerBuild is how deploy/Dockerfile builds the binary: static (no cgo,
// the SQLite driver is pure Go), reproducible paths, no symbol tables.
var dockerBuild = []string{"build", "-trimpath", "-ldflags=-s -w -X vigil/gateway.Version=test", "-o"}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// vigilBinary builds cmd/vigil once per test binary, exactly as the
// Dockerfile does.
func vigilBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-static-")
		if err != nil {
			binErr = err
			return
		}
		os.Chmod(dir, 0o755) // the non-root run must reach the binary
		binPath = filepath.Join(dir, "vigil")
		cmd := exec.Command("go", append(dockerBuild, binPath, "vigil/cmd/vigil")...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatalf("build vigil: %v", binErr)
	}
	return binPath
}

// proc is a running vigil process whose stderr (JSON logs) is collected.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // Wait's, once exited is closed

	mu   sync.Mutex
	logs []map[string]any
	text bytes.Buffer
}

// startVigil starts the binary with args and -log-format json; the caller
// may adjust cmd (credentials, directory) in prepare.
func startVigil(t *testing.T, prepare func(*exec.Cmd), args ...string) *proc {
	t.Helper()
	cmd := exec.Command(vigilBinary(t), append([]string{"-log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "VIGIL_ADMIN_PASSWORD="+testAdminPassword)
	if prepare != nil {
		prepare(cmd)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logsDone := make(chan struct{})
	go func() { // ends at EOF, when the process exits
		defer close(logsDone)
		p.collect(stderr)
	}()
	go func() {
		<-logsDone
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("vigil output:\n%s", p.output())
		}
	})
	return p
}

func (p *proc) collect(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var m map[string]any
		p.mu.Lock()
		p.text.Write(line)
		p.text.WriteByte('\n')
		if json.Unmarshal(line, &m) == nil {
			p.logs = append(p.logs, m)
		}
		p.mu.Unlock()
	}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.text.String()
}

// logged returns the first JSON log entry with message msg.
func (p *proc) logged(msg string) (map[string]any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.logs {
		if m["msg"] == msg {
			return m, true
		}
	}
	return nil, false
}

// baseURL waits for the "console ready" log line and returns its URL.
func (p *proc) baseURL() string {
	p.t.Helper()
	var url string
	testwait.For(p.t, "vigil's console ready line", func() bool {
		select {
		case <-p.exited:
			p.t.Fatalf("vigil exited: %v\n%s", p.err, p.output())
		default:
		}
		m, ok := p.logged("console ready")
		if ok {
			url, _ = m["url"].(string)
		}
		return url != ""
	})
	return url
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

func (p *proc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// status is GET url's status code, 0 when the request fails (nothing
// listens any more).
func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// cameraConfig writes a config of one station whose cameras are cams'
// streams named names, with extra appended, and returns its path.
func cameraConfig(t *testing.T, cams *sim.Server, extra string, names ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("stations:\n  - id: bjx\n    name: 北京西站\n" + extra + "    cameras:\n")
	for i, n := range names {
		fmt.Fprintf(&b, "      - {id: bjx-nsq-0%d, url: \"rtsp://%s/%s\", transport: tcp, record: false}\n", i+1, cams.Addr(), n)
	}
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func startCameras(t *testing.T, names ...string) *sim.Server {
	t.Helper()
	srv, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: names, Width: 160, Height: 96})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// waitExit waits for the process to end and returns its exit code. The
// process bounds its own stop by -grace (shutdown in lifecycle.go): a
// stop within it logs "stopped", one past it exits 1.
func (p *proc) waitExit() int {
	p.t.Helper()
	testwait.For(p.t, "vigil to exit", func() bool { return !p.alive() })
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatal(p.err)
	}
	return 0
}
