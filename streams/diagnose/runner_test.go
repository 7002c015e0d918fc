package diagnose

import (
	"context"
	"testing"
	"time"

	"vigil/streams/media"
)

// TestKeptProcessAcrossRounds: rounds go through one ffmpeg kept
// running, each round's pictures in order and none from another round,
// however many pictures ffmpeg holds back.
func TestKeptProcessAcrossRounds(t *testing.T) {
	d := newTestDecoder(t)
	defer d.Close()
	if err := d.Warm(context.Background(), media.CodecH264); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
	pid := 0
	var last Picture
	for round := range 4 {
		keys := []*media.AccessUnit{
			keyframe(t, blackPicture(64, 64)),
			keyframe(t, cameraPicture(t, 320, 180, at.Add(time.Duration(round)*time.Minute), int64(round*1000))),
		}
		pics, errs := d.Decode(context.Background(), media.CodecH264, keys)
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: %v", round, errs)
		}
		if pics[0].Spread() > 1 || pics[1].Spread() < 10 {
			t.Fatalf("round %d: pictures out of order (spreads %.1f, %.1f)", round, pics[0].Spread(), pics[1].Spread())
		}
		if round > 0 && Difference(last, pics[1]) == 0 {
			t.Fatalf("round %d gave the last round's picture", round)
		}
		last = pics[1]
		d.mu.Lock()
		r := d.runners[media.CodecH264]
		d.mu.Unlock()
		if r == nil {
			t.Fatalf("round %d ran without the kept process", round)
		}
		if pid != 0 && r.cmd.Process.Pid != pid {
			t.Fatalf("round %d: ffmpeg restarted", round)
		}
		pid = r.cmd.Process.Pid
	}
}
