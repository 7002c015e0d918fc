// Command vigil is the video gateway. With no -config it runs the demo:
// simulated cameras for the five station areas, pulled over real RTSP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"vigil/gateway"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "vigil:", err)
		os.Exit(1)
	}
}

// subcommands are the tools beside the gateway: vigil NAME args...
var subcommands = map[string]func(args []string) error{
	"audit":       func(args []string) error { return runAudit(args, os.Stdout) },
	"verify":      func(args []string) error { return runVerify(args, os.Stdout) },
	"healthcheck": func(args []string) error { return runHealthcheck(args, os.Stdout) },
}

// lifecycle is how the process starts and stops, beside the gateway's
// own options.
type lifecycle struct {
	grace     time.Duration
	logFormat string
	verbose   bool
}

func run(args []string) error {
	if len(args) > 0 && subcommands[args[0]] != nil {
		return subcommands[args[0]](args[1:])
	}
	fs := flag.NewFlagSet("vigil", flag.ContinueOnError)
	opts, life := gatewayFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: vigil [flags] (every flag also as an environment variable: -webrtc-udp is VIGIL_WEBRTC_UDP)\n"+
			"       vigil audit verify | verify CLIP | healthcheck [URL]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := applyEnv(fs, os.Getenv); err != nil {
		return err
	}
	log, err := newLogger(life.logFormat, life.verbose, os.Stderr)
	if err != nil {
		return err
	}
	opts.Logger = log
	opts.AdminPassword = os.Getenv("VIGIL_ADMIN_PASSWORD")
	if life.grace <= 0 {
		return fmt.Errorf("-grace %v: must be positive", life.grace)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, err := gateway.New(ctx, *opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\n  vigil is running — open %s\n  log in as admin (first start: the generated password is in the log line above)\n\n", g.URL())
	stopReload := reloadOnHangup(g, log)
	failed := stopsServing(g)
	select {
	case <-ctx.Done():
	case err := <-failed: // the console is unreachable: exit non-zero, the supervisor restarts vigil
		stopReload()
		return errors.Join(err, shutdown(g, life.grace, log))
	}
	stopReload()
	stop() // a second signal ends the process at once
	return shutdown(g, life.grace, log)
}

// stopsServing tells the error of a gateway that stopped serving on its
// own; its goroutine ends with the gateway's Close at the latest.
func stopsServing(g *gateway.Gateway) <-chan error {
	failed := make(chan error, 1)
	go func() {
		if err := g.Wait(); err != nil {
			failed <- err
		}
	}()
	return failed
}

func gatewayFlags(fs *flag.FlagSet) (*gateway.Options, *lifecycle) {
	opts, life := &gateway.Options{}, &lifecycle{}
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
	fs.DurationVar(&opts.DrainDelay, "drain-delay", 2*time.Second,
		"on SIGTERM, answer /readyz 503 at least this long before the listener closes (load balancers take the node out)")
	fs.DurationVar(&life.grace, "grace", 20*time.Second,
		"on SIGTERM, the process exits within this: drain (exports may finish), then stop")
	fs.StringVar(&life.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&life.verbose, "v", false, "debug logging")
	return opts, life
}
