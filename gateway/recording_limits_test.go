package gateway

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"vigil/gateway/config"
)

// The demo keeps at least an hour of its cameras, and the line where
// recording starts says what is kept: every limit, not retention alone.
func TestRecordingLogStatesEveryLimit(t *testing.T) {
	demo := config.Demo().Recording
	if demo.MaxBytes < config.DemoRecordingPerHour {
		t.Fatalf("the demo keeps %s, less than the hour its cameras record (%s)", demo.MaxBytes, config.DemoRecordingPerHour)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	logLimits(log, demo, true, 22, t.TempDir())
	line := buf.String()
	for _, want := range []string{"retention=168h0m0s", "max_bytes=16GiB", "per_camera_max_bytes=none",
		"the newest 16GiB, about 74 min of the demo cameras"} {
		if !strings.Contains(line, want) {
			t.Errorf("the recording line lacks %q:\n%s", want, line)
		}
	}

	buf.Reset()
	huge := config.Recording{Retention: config.Duration(time.Hour), MaxBytes: config.ByteSize(1 << 60)}
	logLimits(log, huge, false, 1, t.TempDir())
	if !strings.Contains(buf.String(), "less free space than max_bytes") {
		t.Errorf("a cap beyond the free disk is not warned of:\n%s", buf.String())
	}
}
