// Command camsim serves simulated cameras over RTSP: for tests, benchmarks
// and trying other gateways.
//
//	camsim -listen 127.0.0.1:8554 -cameras 4 [-gop 50] [-user u -pass p]
//
// Main streams are at rtsp://ADDR/cam0 ... and half-size sub streams at
// rtsp://ADDR/cam0/sub ...
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"vigil/streams/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "camsim:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("camsim", flag.ContinueOnError)
	o := sim.ServerOptions{}
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8554", "RTSP listen address")
	fs.IntVar(&o.Cameras, "cameras", 4, "number of cameras (paths /cam0, /cam1, ...)")
	fs.IntVar(&o.GOP, "gop", 50, "frames from one IDR to the next")
	fs.IntVar(&o.FPS, "fps", 25, "frames per second")
	fs.IntVar(&o.Width, "width", 640, "main stream width (sub stream: half)")
	fs.IntVar(&o.Height, "height", 360, "main stream height (sub stream: half)")
	fs.StringVar(&o.Username, "user", "", "demand this user name (Basic or Digest)")
	fs.StringVar(&o.Password, "pass", "", "password for -user")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.Cameras < 1 {
		return fmt.Errorf("-cameras must be at least 1")
	}
	if (o.Username == "") != (o.Password == "") {
		return fmt.Errorf("-user and -pass go together")
	}

	srv, err := sim.NewServer(o)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "camsim: %d cameras on %s\n", o.Cameras, srv.Addr())
	for _, c := range srv.Cameras() {
		fmt.Fprintf(stdout, "%s  %s\n", srv.URL(c), srv.SubURL(c))
	}
	<-ctx.Done()
	return nil
}
