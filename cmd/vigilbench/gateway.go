package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// gateway is the system under test: a vigil this tool builds and starts,
// or any gateway already running (-url, -token, -pid).
type gateway struct {
	name  string // "vigil" or "external"
	pid   int
	whep  string // WHEP URL template with {cam}
	token string
	// vigil only
	base  string // http://host:port
	cmd   *exec.Cmd
	dir   string
	pprof string // pprof address when profiling
	stop  func() // what else to stop with it (the relay scenario's owner node and PostgreSQL)
}

const benchPassword = "vigilbench-password"

// vigilBinary builds cmd/vigil once into dir. Through a build overlay
// (the source tree is not touched) it adds a debug listener that starts
// only when VIGILBENCH_PPROF names an address: pprof, and a handler that
// returns free memory to the OS so that memory increments are measured
// without the garbage collector's slack.
func vigilBinary(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "vigil")
	args := []string{"build", "-o", bin}
	{
		out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "vigil/cmd/vigil").Output()
		if err != nil {
			return "", fmt.Errorf("locate cmd/vigil: %w", err)
		}
		src := filepath.Join(dir, "pprof.go")
		if err := os.WriteFile(src, []byte(pprofSource), 0o600); err != nil {
			return "", err
		}
		replace := map[string]string{filepath.Join(strings.TrimSpace(string(out)), "zz_vigilbench_pprof.go"): src}
		if err := mergeOverlay(os.Getenv("VIGILBENCH_OVERLAY"), replace); err != nil {
			return "", err
		}
		ov, _ := json.Marshal(map[string]any{"Replace": replace})
		overlay := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(overlay, ov, 0o600); err != nil {
			return "", err
		}
		args = append(args, "-overlay", overlay)
	}
	out, err := exec.CommandContext(ctx, "go", append(args, "vigil/cmd/vigil")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build vigil: %v\n%s", err, out)
	}
	return bin, nil
}

// mergeOverlay adds the replacements of a go build -overlay file (an
// experiment: measure a change without touching the tree) to replace.
func mergeOverlay(path string, replace map[string]string) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var ov struct{ Replace map[string]string }
	if err := json.Unmarshal(b, &ov); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for k, v := range ov.Replace {
		replace[k] = v
	}
	return nil
}

const pprofSource = `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/debug"
)

func init() {
	if addr := os.Getenv("VIGILBENCH_PPROF"); addr != "" {
		http.HandleFunc("/debug/vigilbench/release", func(w http.ResponseWriter, r *http.Request) {
			debug.FreeOSMemory()
		})
		go http.ListenAndServe(addr, nil)
	}
}
`

// startVigil runs bin with a config of n cameras at rtspAddr (paths
// /cam0…, camera ids the same), logs in and creates an API token.
func startVigil(ctx context.Context, bin, rtspAddr string, n int, record, diagnosis bool) (*gateway, error) {
	dir, err := os.MkdirTemp("", "vigilbench")
	if err != nil {
		return nil, err
	}
	g := &gateway{name: "vigil", dir: dir}
	cfg := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(cfg, []byte(vigilConfig(rtspAddr, n, record, diagnosis)), 0o600); err != nil {
		g.close()
		return nil, err
	}
	httpAddr, iceAddr := freeAddr("tcp"), freeAddr("udp")
	g.cmd = exec.Command(bin, "-config", cfg, "-http", httpAddr,
		"-data", filepath.Join(dir, "data"), "-webrtc-udp", iceAddr, "-webrtc-tcp", "")
	g.cmd.Env = append(os.Environ(), "VIGIL_ADMIN_PASSWORD="+benchPassword)
	g.pprof = freeAddr("tcp")
	g.cmd.Env = append(g.cmd.Env, "VIGILBENCH_PPROF="+g.pprof)
	g.cmd.Stdout, g.cmd.Stderr = io.Discard, io.Discard
	if os.Getenv("VIGILBENCH_LOG") != "" {
		g.cmd.Stdout, g.cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := g.cmd.Start(); err != nil {
		g.close()
		return nil, err
	}
	g.pid = g.cmd.Process.Pid
	g.base = "http://" + httpAddr
	g.whep = g.base + "/api/whep/{cam}"
	if err := waitHTTP(ctx, g.base+"/healthz", 30*time.Second); err != nil {
		g.close()
		return nil, err
	}
	if g.token, err = vigilToken(ctx, g.base); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// vigilConfig lists n cameras, main stream only: the gateway pulls what
// other gateways pull for the same WHEP paths. diagnosis false turns the
// video-quality diagnosis off, to measure what it costs.
func vigilConfig(rtspAddr string, n int, record, diagnosis bool) string {
	var b strings.Builder
	// One token opens every viewer, all from one address: lift the
	// per-user and per-address limits meant for people.
	b.WriteString("http:\n  max_whep_per_user: 1000000\n  max_consoles_per_user: 1000000\n  max_connections_per_ip: 1000000\n")
	b.WriteString("stations:\n  - id: bench\n    name: vigilbench\n    cameras:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - id: %s\n        name: %s\n        url: rtsp://%s/%s\n        transport: tcp\n        record: %v\n",
			camName(i), camName(i), rtspAddr, camName(i), record)
	}
	if !diagnosis {
		b.WriteString("alarms:\n  diagnosis: false\n")
	}
	return b.String()
}

func camName(i int) string { return "cam" + strconv.Itoa(i) }

// vigilToken logs in as admin and creates an API token for the viewers.
func vigilToken(ctx context.Context, base string) (string, error) {
	var session struct{ Token string }
	err := postJSON(ctx, base+"/api/session", "", map[string]string{"username": "admin", "password": benchPassword}, &session)
	if err != nil || session.Token == "" {
		return "", fmt.Errorf("vigil login: %v", err)
	}
	var tok struct{ Token string }
	err = postJSON(ctx, base+"/api/tokens", session.Token, map[string]string{"name": "vigilbench"}, &tok)
	if err != nil || tok.Token == "" {
		return "", fmt.Errorf("vigil API token: %v", err)
	}
	return tok.Token, nil
}

func postJSON(ctx context.Context, url, bearer string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s %s", url, resp.Status, bytes.TrimSpace(b))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func waitHTTP(ctx context.Context, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer within %v", url, within)
}

// waitOnline polls vigil's stations API until n cameras are online.
func (g *gateway) waitOnline(ctx context.Context, n int, within time.Duration) error {
	deadline := time.Now().Add(within)
	online := 0
	for time.Now().Before(deadline) {
		var body struct {
			Stations []struct {
				Cameras []struct{ State string } `json:"cameras"`
			} `json:"stations"`
		}
		if err := g.getJSON(ctx, "/api/stations", &body); err != nil {
			return err
		}
		online = 0
		for _, st := range body.Stations {
			for _, cam := range st.Cameras {
				if cam.State == "online" {
					online++
				}
			}
		}
		if online == n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return fmt.Errorf("%d of %d cameras online after %v", online, n, within)
}

func (g *gateway) getJSON(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// goroutines reads go_goroutines from vigil's metrics; -1 when unknown
// (another gateway, or no metrics).
func (g *gateway) goroutines(ctx context.Context) int {
	if g.base == "" {
		return -1
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+"/metrics", nil)
	if err != nil {
		return -1
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return int(n)
			}
		}
	}
	return -1
}

// release makes vigil return its free memory to the OS, so RSS shows
// what is in use; false for a gateway that cannot.
func (g *gateway) release(ctx context.Context) bool {
	if g.pprof == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+g.pprof+"/debug/vigilbench/release", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// fetch saves what vigil's pprof listener serves at path.
func (g *gateway) fetch(ctx context.Context, path, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+g.pprof+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// close stops a gateway this tool started; an external one is left alone.
func (g *gateway) close() {
	if g.cmd != nil && g.cmd.Process != nil {
		g.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { g.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			g.cmd.Process.Kill()
			<-done
		}
	}
	if g.dir != "" {
		os.RemoveAll(g.dir)
	}
	if g.stop != nil {
		g.stop()
	}
}

// freeAddr returns a free loopback address for network "tcp" or "udp".
func freeAddr(network string) string {
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		defer c.Close()
		return c.LocalAddr().String()
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}
