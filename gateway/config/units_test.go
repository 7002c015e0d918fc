package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{
		"90s": 90 * time.Second, "168h": 168 * time.Hour, "1h30m": 90 * time.Minute,
		"7d": 7 * 24 * time.Hour, "0s": 0, " 2d ": 48 * time.Hour,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got.Std() != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1 week", "-1h", "-1d", "1.5d", "99999999999d", "10"} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want error", in, got)
		}
	}
}

func TestParseByteSize(t *testing.T) {
	t.Parallel()
	good := map[string]ByteSize{
		"500MB": 500e6, "2GiB": 2 << 30, "1048576": 1 << 20, "1.5KiB": 1536,
		"10 kb": 10e3, "3T": 3e12, "0": 0, "7B": 7, "1tib": 1 << 40,
	}
	for in, want := range good {
		got, err := ParseByteSize(in)
		if err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "-1MB", "MB", "1e30TB", "NaN", "9223372036854775807KB"} {
		if got, err := ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) = %v, want error", in, got)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	t.Parallel()
	for b, want := range map[ByteSize]string{0: "0B", 1 << 30: "1GiB", 1536: "1536B", 3 << 10: "3KiB", 1000: "1000B"} {
		if got := b.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(b), got, want)
		}
	}
}
