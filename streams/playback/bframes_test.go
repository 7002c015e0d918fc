package playback

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/segstore"
)

// A B-frame recording (composition offsets) is published as a reordered
// track, each picture shown its offset after its decode time, scaled by
// the speed: viewers then get it through the transcoder, in display order.
func TestBFrameRecordingIsReordered(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	if err := os.MkdirAll(filepath.Join(root, "cam"), 0o750); err != nil {
		t.Fatal(err)
	}
	samples := samplesOf(0, 100, 25)
	offsets := []int32{7200, 0, 3600} // ticks of 90 kHz: 80, 0 and 40 ms
	for i := range samples {
		samples[i].PTSOffset = offsets[i%3]
	}
	buf := segstore.AppendInit(nil, testInit)
	for g := 0; g < 100; g += 25 {
		buf = segstore.AppendFragment(buf, uint32(g/25+1), uint64(g*3600), samples[g:g+25])
	}
	if err := os.WriteFile(filepath.Join(root, "cam", segstore.FileName(t0)), buf, 0o640); err != nil {
		t.Fatal(err)
	}
	p := startPlayer(t, Options{Store: openIndex(t, root), Camera: "cam", Start: t0, Speed: 2})
	v := watch(t, p)
	for i := range 30 {
		au := v.next()
		if n := counterOf(au); n != i {
			t.Fatalf("frame %d, want %d", n, i)
		}
		want := time.Duration(offsets[i%3]) * time.Second / segstore.Timescale / 2
		if got := au.PTS - au.DTS; got != want {
			t.Fatalf("frame %d shown %v after its decode time, want %v", i, got, want)
		}
	}
	if tr := p.Hub().Status().Track; !tr.Reordered {
		t.Fatalf("track %+v not reordered", tr)
	}
}
