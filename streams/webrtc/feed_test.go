package webrtc

import (
	"context"
	"testing"
	"time"

	"vigil/streams/media"
)

// TestStoppedFeedSendsNoMoreOfAUnit: a feed whose pump is stopped mid-unit
// (ctx ended) sends none of the unit's remaining packets, so stopping it
// waits for one packet's write at most; a whole unit is still sent while
// ctx lives.
func TestStoppedFeedSendsNoMoreOfAUnit(t *testing.T) {
	f := connectedFeed(t)
	keyframe := func() *media.AccessUnit { // 50 kB: about 40 packets
		slice := make([]byte, 50_000)
		slice[0] = 0x65
		return &media.AccessUnit{PTS: time.Second, NALUs: [][]byte{slice}}
	}

	f.sendUnit(context.Background(), keyframe(), 90_000)
	whole := f.Stats().Packets
	if whole < 30 {
		t.Fatalf("a 50 kB unit went out in %d packets, want about 40", whole)
	}
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	f.sendUnit(stopped, keyframe(), 93_600)
	if got := f.Stats().Packets - whole; got != 0 {
		t.Fatalf("a stopped feed sent %d more packets", got)
	}
}

// connectedFeed opens an engine and one viewer connected to it, and
// returns the viewer's first feed, set for H.264. All of it is closed
// when tb ends.
func connectedFeed(tb testing.TB) *Feed {
	e, err := NewEngine(EngineOptions{UDPAddr: "127.0.0.1:0", LoopbackOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	rx, s := mustConnect(tb, e)
	tb.Cleanup(func() { rx.Close() })
	tb.Cleanup(func() { s.Close() })
	f := s.Feed(0)
	<-s.connected
	f.pk.reset(media.CodecH264)
	return f
}
