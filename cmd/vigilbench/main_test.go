package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsAroundScenarios(t *testing.T) {
	t.Parallel()
	c, err := parse([]string{"-duration", "5s", "ingest", "-cameras", "3", "fanout", "-json"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.names, ",") != "ingest,fanout" || c.opts.Duration != 5*time.Second || c.opts.Cameras != 3 || !c.asJSON {
		t.Fatalf("parsed %+v", c)
	}
	c, err = parse([]string{"-url", "http://127.0.0.1:8889/{cam}/whep", "-pid", "7", "all"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.RTSP != "127.0.0.1:8554" || len(c.names) != 4 {
		t.Fatalf("parsed %+v", c)
	}
	for _, bad := range [][]string{
		{}, {"nosuch"}, {"-url", "http://127.0.0.1/whep", "ingest"}, {"-gateway", "mediamtx", "ingest"},
		{"-encoder", "x264", "ingest"},
	} {
		if _, err := parse(bad, io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestScenarioOverrides(t *testing.T) {
	t.Parallel()
	b := &bench{opts: options{Cameras: 2, Viewers: -1, GOP: defaultGOP}}
	sc, _ := findScenario("switch")
	if got := b.apply(sc); got.Cameras != 2 || got.Viewers != 1 || got.GOP != 100 || got.Rounds != 5 {
		t.Fatalf("switch with -cameras 2: %+v", got)
	}
	b.opts.GOP, b.opts.Viewers = 25, 0
	if got := b.apply(sc); got.GOP != 25 || got.Viewers != 0 || got.Record {
		t.Fatalf("-gop 25 -viewers 0: %+v", got)
	}
	b.opts = options{Viewers: -1, GOP: defaultGOP}
	st, _ := findScenario("station")
	if got := b.apply(st); got.Cameras != 500 || got.Viewers != 0 || !got.Record {
		t.Fatalf("station: %+v", got)
	}
	b.opts.Record = true
	if got := b.apply(sc); !got.Record {
		t.Fatal("-record does not record")
	}
}

// TestFanoutAgainstVigil runs a short fanout end to end: vigil built and
// started as its own process, 2 ffmpeg-coded cameras tagging every frame,
// 2 WHEP viewers each. It checks the counts the SEI gives, not speed.
func TestFanoutAgainstVigil(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs vigil")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errs bytes.Buffer
	err := run(ctx, []string{"-json", "-cameras", "2", "-viewers", "2", "-duration", "3s", "-warmup", "1s",
		"-width", "640", "-height", "360", "-bitrate", "500000", "fanout"}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	t.Logf("%s", out.String())
	if r.Viewers != 4 || r.Frames == 0 || r.Lost != 0 || r.Untagged != 0 {
		t.Fatalf("viewers %d, frames %d, lost %d, untagged %d", r.Viewers, r.Frames, r.Lost, r.Untagged)
	}
	if r.Latency.N != r.Frames || r.Latency.Max <= 0 || r.Latency.Max > 10_000 {
		t.Fatalf("latency %+v for %d frames", r.Latency, r.Frames)
	}
	if r.TTFF.N != 4 || r.TTFF.Max <= 0 || r.FPSViewer <= 0 || r.CPUCores <= 0 || r.RSSMB <= 0 {
		t.Fatalf("ttff %+v, fps %.1f, cpu %.3f, rss %.0f", r.TTFF, r.FPSViewer, r.CPUCores, r.RSSMB)
	}
}
