// Command vigil is the video gateway. With no -config it runs the demo:
// simulated cameras for the five station areas, pulled over real RTSP.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"vigil/gateway"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "vigil:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "audit" {
		return runAudit(args[1:], os.Stdout)
	}
	if len(args) > 0 && args[0] == "verify" {
		return runVerify(args[1:], os.Stdout)
	}
	fs := flag.NewFlagSet("vigil", flag.ContinueOnError)
	opts := gateway.Options{}
	fs.StringVar(&opts.ConfigPath, "config", "", "config file (YAML); none runs the demo")
	fs.StringVar(&opts.HTTPAddr, "http", ":8080", "console, API and WHEP address")
	fs.StringVar(&opts.DataDir, "data", "./data", "database and recordings directory")
	fs.StringVar(&opts.WebRTCUDPAddr, "webrtc-udp", ":8189", "UDP address for all WebRTC ICE traffic")
	fs.StringVar(&opts.WebRTCTCPAddr, "webrtc-tcp", ":8189", "ICE-TCP fallback address (empty disables)")
	fs.StringVar(&opts.WebUIDir, "webui-dir", "", "serve the console from this directory (development)")
	fs.StringVar(&opts.TLSCertFile, "tls-cert", "", "TLS certificate (PEM); with -tls-key serves HTTPS")
	fs.StringVar(&opts.TLSKeyFile, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&opts.Node, "node", "", "this node's name in the config's cluster section")
	fs.StringVar(&opts.RelayAddr, "relay", "",
		"RTSP address re-serving every camera to tools (API token as password) and to the other nodes; empty: off")
	verbose := fs.Bool("v", false, "debug logging")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: vigil [flags] (every flag also as an environment variable: -webrtc-udp is VIGIL_WEBRTC_UDP)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyEnv(fs, os.Getenv); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts.AdminPassword = os.Getenv("VIGIL_ADMIN_PASSWORD")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, err := gateway.New(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\n  vigil is running — open %s\n  log in as admin (first start: the generated password is in the log line above)\n\n", g.URL())
	<-ctx.Done()
	opts.Logger.Info("shutting down")
	return g.Close()
}
