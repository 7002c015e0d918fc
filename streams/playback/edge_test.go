package playback

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/segstore"
)

// A player that catches up with the recorder waits at the live edge and
// goes on with what the recorder writes next; once the recording stops,
// it says it has ended.
func TestFollowsTheRecorder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	t0 := time.Now().Add(-3 * time.Second).Truncate(time.Millisecond)
	x := openIndex(t, root)
	if err := os.MkdirAll(filepath.Join(root, "cam"), 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "cam", segstore.FileName(t0))
	buf := segstore.AppendInit(nil, testInit)
	buf = segstore.AppendFragment(buf, 1, 0, samplesOf(0, 25, 25))
	write := func(active bool, frames int) {
		t.Helper()
		if err := os.WriteFile(path, buf, 0o640); err != nil {
			t.Fatal(err)
		}
		x.RecordingProgress("cam", path, t0, frameAt(t0, frames), int64(len(buf)), active)
	}
	write(true, 25)
	p := startPlayer(t, Options{Store: x, Camera: "cam", Start: t0, Speed: 4, Poll: 5 * time.Millisecond})
	v := watch(t, p)
	for want := range 25 {
		if n := counterOf(v.next()); n != want {
			t.Fatalf("frame %d, want %d", n, want)
		}
	}
	testwait.For(t, "the player at the live edge", func() bool { return p.Status().Edge })

	buf = segstore.AppendFragment(buf, 2, 25*3600, samplesOf(25, 25, 25))
	write(true, 50)
	for want := 25; want < 50; want++ {
		if n := counterOf(v.next()); n != want {
			t.Fatalf("after the recorder wrote more: frame %d, want %d", n, want)
		}
	}
	write(false, 50)
	testwait.For(t, "the end of the recording", func() bool { s := p.Status(); return s.Ended && !s.Edge })
}
