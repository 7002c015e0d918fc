// Command vigilbench loads a video gateway the way its users do and
// measures it: in-process simulated RTSP cameras that tag every frame with
// an SEI (camera, frame counter, send time), real pion WHEP viewers that
// read the tag back, and the gateway's CPU and memory from /proc.
//
//	vigilbench [flags] SCENARIO...      idle ingest fanout switch soak relay (or all)
//	vigilbench -duration 60s ingest fanout
//	vigilbench -url 'http://127.0.0.1:8889/{cam}/whep' -pid 1234 -rtsp 127.0.0.1:8554 ingest
//	vigilbench -anchor mediamtx='/opt/mediamtx {config}' -anchor go2rtc='/opt/go2rtc -config {config}' idle ingest fanout
//	vigilbench tiles -cameras 20 -tiles 16 -switches 100 -gop 100
//
// By default it builds and starts vigil (the gateway under test is a
// separate process, as in production); -url measures any running gateway
// with a WHEP endpoint per camera path, pulling the cameras at
// rtsp://<-rtsp>/cam0, /cam1, ... Each scenario prints one table row, or
// one JSON object with -json. VIGILBENCH_OVERLAY names a go build
// -overlay file merged into vigil's build: a change measured without
// touching the tree.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "vigilbench:", err)
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const defaultGOP = 50

// cli is the parsed command line.
type cli struct {
	opts     options
	names    []string
	gateway  string
	asJSON   bool
	tiles    int
	switches int
	anchors  anchorFlags
	reps     int
}

func parse(args []string, stderr io.Writer) (*cli, error) {
	c := &cli{}
	o := &c.opts
	fs := flag.NewFlagSet("vigilbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.gateway, "gateway", "vigil", "gateway to build and start (vigil); ignored with -url")
	fs.StringVar(&o.URL, "url", "", "WHEP URL template of a running gateway, e.g. http://127.0.0.1:8889/{cam}/whep")
	fs.StringVar(&o.Token, "token", "", "bearer token for -url")
	fs.IntVar(&o.PID, "pid", 0, "process id of the -url gateway, for its CPU and memory")
	fs.StringVar(&o.RTSP, "rtsp", "", "camera RTSP listen address (default 127.0.0.1:8554 with -url, a free port otherwise)")
	fs.DurationVar(&o.Settle, "settle", 5*time.Second, "with -url: wait this long for the gateway to pull the cameras")
	fs.IntVar(&o.Cameras, "cameras", 0, "cameras (default: the scenario's)")
	fs.IntVar(&o.Viewers, "viewers", -1, "viewers per camera (default: the scenario's)")
	fs.IntVar(&o.Rounds, "rounds", 0, "switch: rounds of viewers started at once (default 5)")
	fs.DurationVar(&o.Duration, "duration", 0, "measurement window (default: the scenario's; not for switch, whose rounds view 5 s)")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "a viewer's frames count from this long after its first keyframe")
	fs.IntVar(&o.Width, "width", 1280, "camera width")
	fs.IntVar(&o.Height, "height", 720, "camera height")
	fs.IntVar(&o.FPS, "fps", 25, "camera frame rate")
	fs.IntVar(&o.Bitrate, "bitrate", 2_000_000, "camera bitrate, bits per second")
	fs.IntVar(&o.GOP, "gop", defaultGOP, "camera GOP in frames (switch defaults to 100)")
	fs.StringVar(&o.Encoder, "encoder", "ffmpeg", "camera encoder: ffmpeg (realistic frame sizes) or builtin")
	fs.BoolVar(&o.Record, "record", false, "vigil: record every camera as well")
	fs.BoolVar(&o.Diagnosis, "diagnosis", true, "vigil: diagnose the cameras' pictures for frozen and black (-diagnosis=false writes alarms: {diagnosis: false})")
	fs.StringVar(&o.Profile, "profile", "", "vigil: write CPU and heap profiles of each window to this directory")
	fs.BoolVar(&o.Baseline, "baseline", false, "also pull every camera directly: its latency, and per frame the viewer's minus the direct arrival (adds load)")
	fs.Var(&c.anchors, "anchor", "NAME=COMMAND: also measure this built gateway, interleaved with vigil (repeatable); NAME starts with mediamtx, go2rtc or vigil, COMMAND has {config}, e.g. mediamtx='/opt/mediamtx {config}'")
	fs.IntVar(&c.reps, "reps", 2, "with -anchor: repetitions of each scenario per gateway (medians are reported)")
	fs.BoolVar(&c.asJSON, "json", false, "print one JSON object per scenario instead of the table")
	fs.IntVar(&c.tiles, "tiles", 16, "tiles: tiles on the console's one peer connection")
	fs.IntVar(&c.switches, "switches", 100, "tiles: switches of tile 0")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vigilbench [flags] SCENARIO...")
		for _, s := range scenarios {
			fmt.Fprintf(stderr, "  %-7s %s\n", s.Name, s.About)
		}
		fmt.Fprintln(stderr, "  all     idle ingest fanout switch")
		fmt.Fprintln(stderr, "  tiles   vigil's console: switch tile 0 of one peer connection between cameras")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "environment: VIGILBENCH_LOG=1 shows vigil's log; VIGILBENCH_TRACE=1 adds a 5 s execution")
		fmt.Fprintln(stderr, "trace to -profile; VIGILBENCH_OVERLAY=file merges a go build -overlay file into vigil's build")
	}
	// Flags may come before and after scenario names.
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		c.names = append(c.names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(c.names) == 0 {
		fs.Usage()
		return nil, errUsage
	}
	return c, c.validate()
}

func (c *cli) validate() error {
	o := &c.opts
	if o.URL == "" && c.gateway != "vigil" {
		return fmt.Errorf("-gateway %q: only vigil can be started; measure others with -url", c.gateway)
	}
	if o.URL != "" {
		if !strings.Contains(o.URL, "{cam}") {
			return errors.New("-url needs a {cam} placeholder")
		}
		if o.RTSP == "" {
			o.RTSP = "127.0.0.1:8554"
		}
	}
	if len(c.anchors) > 0 && (o.URL != "" || c.reps < 1) {
		return errors.New("-anchor: vigilbench starts every gateway itself (no -url) and -reps is at least 1")
	}
	if o.Encoder != "ffmpeg" && o.Encoder != "builtin" {
		return fmt.Errorf("-encoder %q: ffmpeg or builtin", o.Encoder)
	}
	var names []string
	for _, n := range c.names {
		if n == "all" {
			names = append(names, "idle", "ingest", "fanout", "switch")
			continue
		}
		sc, err := findScenario(n)
		if err != nil && n != "tiles" {
			return err
		}
		if sc.Relay && o.URL != "" {
			return fmt.Errorf("%s starts its own two vigil nodes: not with -url", n)
		}
		names = append(names, n)
	}
	c.names = names
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	b := &bench{opts: c.opts}
	if c.opts.URL == "" {
		dir, err := os.MkdirTemp("", "vigilbench-bin")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if b.bin, err = vigilBinary(ctx, dir); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stderr, "cameras: rtsp://%s/cam0 … (main streams, TCP); gateway at %s\n", c.opts.RTSP, c.opts.URL)
	}
	if len(c.anchors) > 0 {
		cmps, err := b.compare(ctx, c.names, c.anchors, c.reps, stderr)
		if c.asJSON {
			_ = json.NewEncoder(stdout).Encode(cmps)
		} else {
			printComparisons(stdout, cmps, time.Now())
		}
		return err
	}
	var results []*result
	for _, name := range c.names {
		if name == "tiles" {
			if err := b.runTiles(ctx, c.tiles, c.switches); err != nil {
				return err
			}
			continue
		}
		sc, _ := findScenario(name)
		sc = b.apply(sc)
		fmt.Fprintf(stderr, "%s: %d cameras × %d viewers, %dx%d %d fps %d kbit/s GOP %d, %v window…\n", name,
			sc.Cameras, sc.Viewers, c.opts.Width, c.opts.Height, c.opts.FPS, c.opts.Bitrate/1000, sc.GOP, sc.Duration)
		r, err := b.run(ctx, sc, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		results = append(results, r)
		if !c.asJSON {
			fmt.Fprintln(stderr, r.row())
		}
	}
	if len(results) > 0 {
		printResults(stdout, results, c.asJSON)
	}
	return nil
}
