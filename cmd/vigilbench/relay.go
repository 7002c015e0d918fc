package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"vigil/gateway/store/storetest"
)

// The relay scenario's two nodes: "owner" pulls the cameras; "viewers"
// has no station and relays every camera its WHEP viewers watch from the
// owner's relay. The measured gateway (pid, WHEP) is the viewers' node:
// its CPU is the relay's pull and the WHEP out; the latency is camera →
// owner → relay → viewers' node → viewer, to compare with ingest's
// camera → node → viewer on the same cameras.
const (
	relayOwner  = "owner"
	relayViewer = "viewers"
)

// relayConfig is the one config both nodes read: a station of n cameras
// owned by relayOwner, and the two nodes with their addresses.
func relayConfig(rtspAddr string, n int, record bool, storeFile, secretFile string, api, relay map[string]string) string {
	var b strings.Builder
	b.WriteString(strings.Replace(vigilConfig(rtspAddr, n, record, true), "    cameras:\n", "    nodes: ["+relayOwner+"]\n    cameras:\n", 1))
	fmt.Fprintf(&b, "cluster:\n  store_file: %s\n  secret_file: %s\n  nodes:\n", storeFile, secretFile)
	for _, node := range []string{relayOwner, relayViewer} {
		fmt.Fprintf(&b, "    - {name: %s, api: %q, relay: %q}\n", node, api[node], relay[node])
	}
	return b.String()
}

// startRelayPair starts a private PostgreSQL and the two nodes; the
// gateway returned is the viewers' node, closing it stops all three.
func startRelayPair(ctx context.Context, bin, rtspAddr string, n int, record bool) (*gateway, error) {
	dir, err := os.MkdirTemp("", "vigilbench-relay")
	if err != nil {
		return nil, err
	}
	pg, err := storetest.Start(os.TempDir()) // not dir: as root the server runs as postgres, who cannot enter dir
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("relay scenario needs PostgreSQL: %w", err)
	}
	stopAll := func() { pg.Stop(); os.RemoveAll(dir) }
	cfg, https := filepath.Join(dir, "vigil.yaml"), map[string]string{}
	api, relay := map[string]string{}, map[string]string{}
	for _, node := range []string{relayOwner, relayViewer} {
		https[node], relay[node] = freeAddr("tcp"), freeAddr("tcp")
		api[node] = "http://" + https[node]
	}
	storeFile, secretFile := filepath.Join(dir, "store.url"), filepath.Join(dir, "cluster.key")
	os.WriteFile(storeFile, []byte(pg.URL("postgres")), 0o600)
	os.WriteFile(secretFile, []byte("vigilbench-cluster-secret"), 0o600)
	if err := os.WriteFile(cfg, []byte(relayConfig(rtspAddr, n, record, storeFile, secretFile, api, relay)), 0o600); err != nil {
		stopAll()
		return nil, err
	}
	owner, err := startNode(ctx, bin, cfg, relayOwner, https[relayOwner], filepath.Join(dir, relayOwner))
	if err != nil {
		stopAll()
		return nil, err
	}
	viewers, err := startNode(ctx, bin, cfg, relayViewer, https[relayViewer], filepath.Join(dir, relayViewer))
	if err != nil {
		owner.close()
		stopAll()
		return nil, err
	}
	viewers.name = "vigil relay"
	viewers.stop = func() { owner.close(); stopAll() }
	return viewers, nil
}

// startNode runs one vigil node of the pair and gets an API token.
func startNode(ctx context.Context, bin, cfg, node, httpAddr, data string) (*gateway, error) {
	g := &gateway{name: "vigil", pprof: freeAddr("tcp")}
	g.cmd = exec.Command(bin, "-config", cfg, "-node", node, "-http", httpAddr, "-data", data,
		"-webrtc-udp", freeAddr("udp"), "-webrtc-tcp", "")
	g.cmd.Env = append(os.Environ(), "VIGIL_ADMIN_PASSWORD="+benchPassword, "VIGILBENCH_PPROF="+g.pprof)
	g.cmd.Stdout, g.cmd.Stderr = io.Discard, io.Discard
	if os.Getenv("VIGILBENCH_LOG") != "" {
		g.cmd.Stdout, g.cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	g.pid = g.cmd.Process.Pid
	g.base = "http://" + httpAddr
	g.whep = g.base + "/api/whep/{cam}"
	var err error
	if err = waitHTTP(ctx, g.base+"/readyz", 30*time.Second); err == nil {
		g.token, err = vigilToken(ctx, g.base)
	}
	if err != nil {
		g.close()
		return nil, fmt.Errorf("node %s: %w", node, err)
	}
	return g, nil
}
