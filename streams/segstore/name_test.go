package segstore

import (
	"testing"
	"time"
)

func TestFileNameRoundTrip(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 29, 14, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	name := FileName(start)
	if name != "20261129T060000.123Z.mp4" {
		t.Fatalf("FileName = %q", name)
	}
	got, err := ParseFileName(name)
	if err != nil || !got.Equal(StartOf(start)) {
		t.Fatalf("ParseFileName = %v, %v; want %v", got, err, StartOf(start))
	}
}

func TestParseFileNameRejects(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"", "x.mp4", "20261129T060000Z.mp4", "20261129T060000.123Z.mp4.tmp",
		"20261129T060000.1234Z.mp4", "20261329T060000.123Z.mp4", "20261129t060000.123z.mp4",
	} {
		if _, err := ParseFileName(name); err == nil {
			t.Errorf("ParseFileName(%q) accepted", name)
		}
	}
}

func FuzzParseFileName(f *testing.F) {
	f.Add("20261129T060000.123Z.mp4")
	f.Add("20261129T060000.999Z.mp4")
	f.Add("99991231T235959.999Z.mp4")
	f.Fuzz(func(t *testing.T, name string) {
		ts, err := ParseFileName(name)
		if err != nil {
			return
		}
		if FileName(ts) != name {
			t.Fatalf("accepted %q but it formats back as %q", name, FileName(ts))
		}
	})
}
