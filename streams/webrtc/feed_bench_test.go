package webrtc

import (
	"context"
	"testing"
	"time"

	"vigil/streams/media"
)

// BenchmarkFeedForward measures the per-frame cost of forwarding to one
// connected WebRTC viewer: Annex-B (cached per unit), payloading to 1200
// bytes, RTP header rewrite, pion's interceptors, the SRTP write and the
// engine's batched UDP send; the in-process viewer's receive work is
// counted too. Allocations are reported per forwarded packet as well as
// per frame. Each frame is a unit of its own, as a camera's are: nothing
// derived from one unit is reused for the next.
func BenchmarkFeedForward(b *testing.B) {
	f := connectedFeed(b)

	// A 2 Mbit/s, 25 fps stream: 10 kB P-frames.
	units := make([]*media.AccessUnit, 64)
	for i := range units {
		slice := make([]byte, 10_000)
		slice[0] = 0x41
		units[i] = &media.AccessUnit{PTS: time.Duration(i) * 40 * time.Millisecond, NALUs: [][]byte{slice}}
	}
	before := f.Stats()
	m := startPerPacket(b)
	for i := 0; i < b.N; i++ {
		au := &media.AccessUnit{PTS: units[i%len(units)].PTS, NALUs: units[i%len(units)].NALUs}
		f.sendUnit(context.Background(), au, f.tl.live(au.PTS+time.Duration(i/len(units))*time.Second, time.Now()))
	}
	m.report(int(f.Stats().Packets - before.Packets))
}
