package browsertest

import (
	"encoding/json"
	"fmt"
	"time"
)

// framesDecodedJS sums inbound-rtp framesDecoded over the peer connections
// in window.__browsertest.peers (see probe.js) for the video element matched by the selector
// (%s, JSON-quoted). A stream is matched to the element by its track id
// (trackIdentifier), so one peer connection may carry many tiles. It yields
// -1 when the element has no stream.
const framesDecodedJS = `(async (sel) => {
  const video = document.querySelector(sel);
  const stream = video && video.srcObject;
  if (!stream || !stream.getVideoTracks) return -1;
  const ids = new Set(stream.getVideoTracks().map((t) => t.id));
  let frames = 0;
  for (const pc of window.__browsertest.peers) {
    const stats = await pc.getStats();
    for (const s of stats.values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && (!s.trackIdentifier || ids.has(s.trackIdentifier))) {
        frames += s.framesDecoded || 0;
      }
    }
  }
  return frames;
})(%s)`

// FramesDecoded returns how many frames the peer connection feeding the
// video element has decoded, or -1 when the element has no stream.
func (b *Browser) FramesDecoded(videoSelector string) (int, error) {
	sel, _ := json.Marshal(videoSelector)
	return Eval[int](b, fmt.Sprintf(framesDecodedJS, sel))
}

// Playback is the result of AssertPlaying.
type Playback struct {
	Before, After int           // framesDecoded at the two reads
	Over          time.Duration // time between them
}

// Frames is the number of frames decoded between the reads.
func (p Playback) Frames() int { return p.After - p.Before }

// AssertPlaying proves that the video element plays: it waits (up to
// timeout) for a first decoded frame, then reads framesDecoded twice, window
// apart, and fails the test unless it grew by at least minFrames. It never
// trusts currentTime, which advances without decoded pictures.
func (b *Browser) AssertPlaying(videoSelector string, window time.Duration, minFrames int, timeout time.Duration) Playback {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var first int
	for {
		n, err := b.FramesDecoded(videoSelector)
		if err != nil {
			b.t.Fatalf("browsertest: framesDecoded %s: %v", videoSelector, err)
		}
		if n > 0 {
			first = n
			break
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("browsertest: %s decoded no frame within %v (framesDecoded=%d)", videoSelector, timeout, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	start := time.Now()
	time.Sleep(window)
	last, err := b.FramesDecoded(videoSelector)
	if err != nil {
		b.t.Fatalf("browsertest: framesDecoded %s: %v", videoSelector, err)
	}
	p := Playback{Before: first, After: last, Over: time.Since(start)}
	if p.Frames() < minFrames {
		b.t.Fatalf("browsertest: %s decoded %d frames in %v (from %d to %d), want >= %d",
			videoSelector, p.Frames(), p.Over.Round(time.Millisecond), first, last, minFrames)
	}
	return p
}
