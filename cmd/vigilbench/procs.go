package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// testbed is camsim and vigil running as child processes.
type testbed struct {
	dir    string
	camsim *exec.Cmd
	vigil  *exec.Cmd
	url    string
}

const benchPassword = "vigilbench-password"

// startTestbed builds the two binaries, starts camsim with n cameras and a
// vigil pulling all of them.
func startTestbed(ctx context.Context, c commonFlags) (*testbed, error) {
	n, gop := c.cameras, c.gop
	dir, err := os.MkdirTemp("", "vigilbench")
	if err != nil {
		return nil, err
	}
	tb := &testbed{dir: dir}
	for _, name := range []string{"vigil", "camsim"} {
		out, err := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, name), "vigil/cmd/"+name).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("build %s: %v\n%s", name, err, out)
		}
	}
	rtspAddr, httpAddr, iceAddr := freeAddr(), freeAddr(), freeAddr()
	tb.camsim = exec.CommandContext(ctx, filepath.Join(dir, "camsim"), "-listen", rtspAddr,
		"-cameras", strconv.Itoa(n), "-gop", strconv.Itoa(gop))
	if err := tb.camsim.Start(); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(cfg, []byte(benchConfig(rtspAddr, n, c.record)), 0o600); err != nil {
		return nil, err
	}
	tb.vigil = exec.CommandContext(ctx, filepath.Join(dir, "vigil"), "-config", cfg, "-http", httpAddr,
		"-data", filepath.Join(dir, "data"), "-webrtc-udp", iceAddr, "-webrtc-tcp", "")
	tb.vigil.Env = append(os.Environ(), "VIGIL_ADMIN_PASSWORD="+benchPassword)
	if err := tb.vigil.Start(); err != nil {
		return nil, err
	}
	tb.url = "http://" + httpAddr
	return tb, waitHTTP(ctx, tb.url+"/healthz", 30*time.Second)
}

// startLoggedIn starts the testbed and logs in as admin. On error it has
// already cleaned up; otherwise the caller closes the testbed.
func startLoggedIn(ctx context.Context, c commonFlags) (*testbed, string, error) {
	tb, err := startTestbed(ctx, c)
	if err != nil {
		if tb != nil {
			tb.close()
		}
		return nil, "", err
	}
	token, err := login(tb.url)
	if err != nil {
		tb.close()
		return nil, "", err
	}
	return tb, token, nil
}

func benchConfig(rtspAddr string, n int, record bool) string {
	var b strings.Builder
	b.WriteString("stations:\n  - id: bjx\n    name: 北京西站\n    cameras:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      - id: bench-%02d\n        name: bench %d\n        url: rtsp://%s/cam%d\n        sub_url: rtsp://%s/cam%d/sub\n        transport: tcp\n        record: %v\n",
			i, i, rtspAddr, i, rtspAddr, i, record)
	}
	return b.String()
}

func (tb *testbed) close() {
	for _, c := range []*exec.Cmd{tb.vigil, tb.camsim} {
		if c != nil && c.Process != nil {
			c.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { c.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				c.Process.Kill()
			}
		}
	}
	os.RemoveAll(tb.dir)
}

// cpuSeconds reads a process's user+system CPU time from /proc.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100, nil // clock ticks; 100 Hz on Linux
}

// rssMB reads a process's resident set size.
func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}
