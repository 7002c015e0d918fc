package browsertest

import (
	"encoding/json"
	"fmt"
	"time"

	"vigil/internal/testwait"
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

// AssertPlaying proves that the video element plays: it waits for a first
// decoded frame, then until framesDecoded has grown by at least minFrames.
// It never trusts currentTime, which advances without decoded pictures.
// Nothing is timed (the waits are testwait's): window is how long the growth
// takes on a quiet machine and is only logged when exceeded, because a busy
// machine decodes late without anything being wrong; timeout, the old bound
// of the first frame, is kept for callers and no longer used.
func (b *Browser) AssertPlaying(videoSelector string, window time.Duration, minFrames int, _ time.Duration) Playback {
	b.t.Helper()
	read := func() int {
		n, err := b.FramesDecoded(videoSelector)
		if err != nil {
			b.t.Fatalf("browsertest: framesDecoded %s: %v", videoSelector, err)
		}
		return n
	}
	var first int
	testwait.For(b.t, videoSelector+" decoding a first frame", func() bool { first = read(); return first > 0 })
	start := time.Now()
	last := first
	testwait.For(b.t, fmt.Sprintf("%s decoding %d more frames", videoSelector, minFrames), func() bool {
		last = read()
		return last-first >= minFrames
	})
	p := Playback{Before: first, After: last, Over: time.Since(start)}
	if p.Over > window {
		b.t.Logf("browsertest: %s took %v for %d frames (about %v on a quiet machine)", videoSelector, p.Over.Round(time.Millisecond), p.Frames(), window)
	}
	return p
}
