// Package clustere2e runs a vigil cluster of real processes: a private
// PostgreSQL, camsim, and four vigil nodes on their own loopback
// addresses (127.0.0.2 … 127.0.0.5; all of 127/8 is loopback on Linux),
// and checks what DESIGN.md "Cluster" promises across them: relay,
// failover, a slow and cut link, the store going away, bad starts.
package clustere2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
)

const (
	adminPassword = "e2e-Cluster-Passw0rd"
	clusterSecret = "cluster-e2e-secret-0123456789"
)

// bins are the vigil and camsim binaries, built once per test binary.
var bins struct {
	once          sync.Once
	vigil, camsim string
	err           error
}

func binaries(t *testing.T) (vigil, camsim string) {
	t.Helper()
	bins.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-clustere2e-bin-")
		if err != nil {
			bins.err = err
			return
		}
		for _, b := range []struct {
			out *string
			pkg string
		}{{&bins.vigil, "vigil/cmd/vigil"}, {&bins.camsim, "vigil/cmd/camsim"}} {
			*b.out = filepath.Join(dir, filepath.Base(b.pkg))
			if out, err := exec.Command("go", "build", "-o", *b.out, b.pkg).CombinedOutput(); err != nil {
				bins.err = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	return bins.vigil, bins.camsim
}

// startPostgres starts a private server this test may pause. Without the
// postgresql binaries the test skips, except under CI=true.
func startPostgres(t *testing.T) *storetest.Server {
	t.Helper()
	pg, err := storetest.Start(os.TempDir())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL: %v", err)
		}
		t.Skipf("no PostgreSQL: %v", err)
	}
	t.Cleanup(func() { pg.Stop() })
	return pg
}

// freeAddr returns ip:port with a port free on ip a moment ago.
func freeAddr(t *testing.T, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatalf("listen on %s (is all of 127/8 loopback here?): %v", ip, err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func freeUDPAddr(t *testing.T, ip string) string {
	t.Helper()
	c, err := net.ListenPacket("udp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().String()
}

// process is one child process whose output is kept and whose end is
// known.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // of Wait, once done is closed

	mu  sync.Mutex
	out []string
}

// startProcess runs bin with args; it is killed when the test ends.
func startProcess(t *testing.T, name, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	w.Close()
	read := make(chan struct{})
	go p.read(r, read)
	go func() {
		p.err = p.cmd.Wait()
		<-read
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		if t.Failed() || testing.Verbose() {
			t.Logf("--- output of %s (last 60 lines) ---\n%s", name, p.tail(60))
		}
	})
	return p
}

func (p *process) read(r *os.File, done chan struct{}) {
	defer close(done)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		p.mu.Lock()
		p.out = append(p.out, sc.Text())
		p.mu.Unlock()
	}
}

// lines returns the output lines so far that contain every one of words.
func (p *process) lines(words ...string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
next:
	for _, l := range p.out {
		for _, w := range words {
			if !strings.Contains(l, w) {
				continue next
			}
		}
		out = append(out, l)
	}
	return out
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.out, "\n")
}

func (p *process) tail(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.out[max(0, len(p.out)-n):], "\n")
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitExit waits for the process to end by itself and returns its exit
// code.
func (p *process) waitExit(t *testing.T) int {
	t.Helper()
	testwait.For(t, p.name+" to exit", p.exited)
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	t.Fatalf("%s: %v", p.name, p.err)
	return -1
}
