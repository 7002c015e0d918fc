package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// An anchor is another gateway measured beside vigil in the same run:
// an already built binary that vigilbench starts with a config it writes
// (the same cameras, WebRTC only, every camera pulled without waiting for
// a viewer), so that each repetition of a scenario is vigil, then each
// anchor, on the same machine within minutes.
type anchor struct {
	Name    string   // as given: "mediamtx", "go2rtc-dev", "vigil-main"
	Kind    string   // the known gateway the name starts with
	Command []string // argv; "{config}" is replaced by the config file
}

// anchorKind is what vigilbench knows of one gateway: its config for n
// cameras at rtspAddr with its HTTP (WHEP) and WebRTC UDP addresses, the
// config file's extension, and its WHEP URL template.
type anchorKind struct {
	ext    string
	config func(rtspAddr string, n int, httpAddr, udpAddr string) string
	whep   string // with {http} and {cam}
}

var anchorKinds = map[string]anchorKind{
	"mediamtx": {ext: ".yml", config: mediamtxConfig, whep: "http://{http}/{cam}/whep"},
	"go2rtc":   {ext: ".yaml", config: go2rtcConfig, whep: "http://{http}/api/webrtc?src={cam}"},
	// vigil: a vigil binary other than the one built from this tree (an
	// older commit, or the same one as a check of the tool); started as
	// vigilbench starts its own, the command being the binary.
	"vigil": {},
}

// parseAnchor reads NAME=COMMAND; NAME starts with a known kind.
func parseAnchor(spec string) (anchor, error) {
	name, command, ok := strings.Cut(spec, "=")
	argv := strings.Fields(command)
	if !ok || name == "" || len(argv) == 0 {
		return anchor{}, fmt.Errorf("-anchor %q: want NAME=COMMAND, e.g. mediamtx='/path/mediamtx {config}'", spec)
	}
	for kind := range anchorKinds {
		if strings.HasPrefix(name, kind) {
			if kind != "vigil" && !strings.Contains(command, "{config}") {
				return anchor{}, fmt.Errorf("-anchor %s: the command needs a {config} placeholder", name)
			}
			return anchor{Name: name, Kind: kind, Command: argv}, nil
		}
	}
	return anchor{}, fmt.Errorf("-anchor %s: the name must start with mediamtx, go2rtc or vigil", name)
}

// anchorFlags collects repeated -anchor flags.
type anchorFlags []anchor

func (a *anchorFlags) String() string { return fmt.Sprint(len(*a), " anchors") }

func (a *anchorFlags) Set(spec string) error {
	an, err := parseAnchor(spec)
	if err != nil {
		return err
	}
	for _, have := range *a {
		if have.Name == an.Name {
			return fmt.Errorf("-anchor %s given twice", an.Name)
		}
	}
	*a = append(*a, an)
	return nil
}

// startAnchor writes the anchor's config in a directory of its own (its
// working directory: anchors write files there) and starts it. The
// cameras are already up: an anchor that pulls once at start finds them.
func startAnchor(ctx context.Context, an anchor, rtspAddr string, n int, record bool) (*gateway, error) {
	if an.Kind == "vigil" {
		g, err := startVigil(ctx, an.Command[0], rtspAddr, n, record, true)
		if g != nil {
			// Built without vigilbench's overlay: no pprof listener to ask
			// for profiles or to return free memory.
			g.name, g.pprof = an.Name, ""
		}
		return g, err
	}
	kind := anchorKinds[an.Kind]
	dir, err := os.MkdirTemp("", "vigilbench-"+an.Kind)
	if err != nil {
		return nil, err
	}
	g := &gateway{name: an.Name, dir: dir}
	httpAddr, udpAddr := freeAddr("tcp"), freeAddr("udp")
	cfg := filepath.Join(dir, an.Kind+kind.ext)
	if err := os.WriteFile(cfg, []byte(kind.config(rtspAddr, n, httpAddr, udpAddr)), 0o600); err != nil {
		g.close()
		return nil, err
	}
	argv := make([]string, len(an.Command))
	for i, a := range an.Command {
		argv[i] = strings.ReplaceAll(a, "{config}", cfg)
	}
	g.cmd = exec.Command(argv[0], argv[1:]...)
	g.cmd.Dir = dir
	g.cmd.Stdout, g.cmd.Stderr = io.Discard, io.Discard
	if os.Getenv("VIGILBENCH_LOG") != "" {
		g.cmd.Stdout, g.cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := g.cmd.Start(); err != nil {
		g.close()
		return nil, fmt.Errorf("anchor %s: %w", an.Name, err)
	}
	g.pid = g.cmd.Process.Pid
	g.whep = strings.ReplaceAll(kind.whep, "{http}", httpAddr)
	if err := waitListening(ctx, httpAddr, 30*time.Second); err != nil {
		g.close()
		return nil, fmt.Errorf("anchor %s: %w", an.Name, err)
	}
	return g, nil
}

// waitListening waits until something accepts TCP connections at addr.
func waitListening(ctx context.Context, addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return errors.Join(fmt.Errorf("nothing listens at %s after %v", addr, within), err)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

// mediamtxConfig: WebRTC only, every camera pulled over RTSP/TCP at start
// (sourceOnDemand off), as vigil pulls them.
func mediamtxConfig(rtspAddr string, n int, httpAddr, udpAddr string) string {
	var b strings.Builder
	b.WriteString("logLevel: warn\napi: no\nmetrics: no\npprof: no\nplayback: no\nrtsp: no\nrtmp: no\nhls: no\nsrt: no\n")
	fmt.Fprintf(&b, "webrtc: yes\nwebrtcAddress: %s\nwebrtcLocalUDPAddress: %s\nwebrtcLocalTCPAddress: ''\n", httpAddr, udpAddr)
	b.WriteString("webrtcIPsFromInterfaces: no\nwebrtcAdditionalHosts: [127.0.0.1]\npaths:\n")
	for i := range n {
		fmt.Fprintf(&b, "  %s: {source: \"rtsp://%s/%s\", rtspTransport: tcp, sourceOnDemand: no}\n", camName(i), rtspAddr, camName(i))
	}
	return b.String()
}

// go2rtcConfig: WebRTC on one loopback UDP port, every camera preloaded
// (pulled at start). Without the loopback filter go2rtc's ICE agent
// gathers no loopback candidate and never connects to a viewer on
// 127.0.0.1 ("checking", then "closed").
func go2rtcConfig(rtspAddr string, n int, httpAddr, udpAddr string) string {
	var b strings.Builder
	b.WriteString("log:\n  level: warn\n")
	fmt.Fprintf(&b, "api:\n  listen: %q\nrtsp:\n  listen: \"\"\nrtmp:\n  listen: \"\"\n", httpAddr)
	fmt.Fprintf(&b, "webrtc:\n  listen: %q\n  candidates: [%s]\n", udpAddr+"/udp", udpAddr)
	b.WriteString("  filters:\n    loopback: true\n    interfaces: [lo]\n    networks: [udp4]\nstreams:\n")
	for i := range n {
		fmt.Fprintf(&b, "  %s: rtsp://%s/%s\n", camName(i), rtspAddr, camName(i))
	}
	b.WriteString("preload:\n")
	for i := range n {
		fmt.Fprintf(&b, "  %s: \"\"\n", camName(i))
	}
	return b.String()
}
