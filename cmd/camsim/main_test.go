package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestRunRejectsFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-cameras", "0"}, {"-user", "u"}, {"extra"}, {"-nope"},
		{"-codec", "vp8"}, {"-audio", "mp3"}, {"-bframes", "-1"}, {"-bitrate", "-5"},
		{"-codec", "h265", "-bframes", "2"}, {"-ptz", "cam0"}, {"-discovery"},
		{"-onvif", "127.0.0.1:0", "-ptz", "cam9"},
	} {
		if err := run(context.Background(), args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// runLines runs camsim with args until it printed n lines, then stops it.
func runLines(t *testing.T, n int, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), pw)
		pw.CloseWithError(err)
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < n && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	cancel()
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain until run returns
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	lines := runLines(t, 3, "-cameras", "2")
	if len(lines) != 3 || !strings.Contains(lines[2], "/cam1 ") || !strings.HasSuffix(lines[2], "/cam1/sub") {
		t.Fatalf("output %q", lines)
	}
}

func TestRunCodecFlags(t *testing.T) {
	t.Parallel()
	lines := runLines(t, 2, "-cameras", "1", "-width", "160", "-height", "96", "-audio", "pcmu")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "(H264 + PCMU)") {
		t.Fatalf("output %q", lines)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is required in CI")
		}
		t.Skip("ffmpeg not installed: " + err.Error())
	}
	lines = runLines(t, 2, "-cameras", "1", "-width", "160", "-height", "96", "-codec", "h265", "-audio", "opus")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "(H265 + Opus)") {
		t.Fatalf("output %q", lines)
	}
}

func TestRunServesONVIF(t *testing.T) {
	t.Parallel()
	lines := runLines(t, 4, "-cameras", "2", "-width", "160", "-height", "96", "-onvif", "127.0.0.1:0", "-ptz", "cam1")
	if len(lines) != 4 || !strings.HasPrefix(lines[3], "onvif http://127.0.0.1:") || !strings.HasSuffix(lines[3], "/onvif/device_service") {
		t.Fatalf("output %q", lines)
	}
}
