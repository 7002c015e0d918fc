// Command vigilbench measures a running vigil the way production sees it:
// the gateway and the simulated cameras run as their own processes, the
// viewers are real pion WebRTC peers in this one, and the gateway's CPU is
// read from /proc.
//
//	vigilbench whep -cameras 20 -duration 30s
//	vigilbench switch -cameras 20 -tiles 16 -switches 100 -gop 100
//	vigilbench ingest -cameras 200 -duration 30s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "whep":
		err = runWHEP(ctx, os.Args[2:])
	case "switch":
		err = runSwitch(ctx, os.Args[2:])
	case "ingest":
		err = runIngest(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigilbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: vigilbench whep [-cameras N] [-duration D]")
	fmt.Fprintln(os.Stderr, "       vigilbench switch [-cameras N] [-tiles N] [-switches N] [-gop FRAMES]")
	fmt.Fprintln(os.Stderr, "       vigilbench ingest [-cameras N] [-duration D] [-record]")
	fmt.Fprintln(os.Stderr, "every scenario takes -record to record the cameras too (off by default)")
	os.Exit(2)
}

// commonFlags are shared by every scenario.
type commonFlags struct {
	cameras  int
	duration time.Duration
	gop      int
	record   bool
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&c.cameras, "cameras", 20, "simulated cameras")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "measurement window")
	fs.IntVar(&c.gop, "gop", 50, "camera GOP in frames")
	fs.BoolVar(&c.record, "record", false, "record every camera as well")
}
