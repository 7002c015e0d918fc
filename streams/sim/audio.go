package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/g711"

	"vigil/streams/media"
)

// audioLoop is a coded second or so of sound that a camera sends over and
// over. Shared between cameras and never modified once built.
type audioLoop struct {
	track  media.Track
	frames [][]byte
	durs   []int // samples in each frame
	size   int
}

func (l *audioLoop) bytes() int { return l.size }

// audioBuilders make each audio codec's loop: G.711 in Go, the others
// with ffmpeg.
var audioBuilders = map[media.Codec]func() (*audioLoop, error){
	media.CodecPCMA: func() (*audioLoop, error) { return g711Loop(false) },
	media.CodecPCMU: func() (*audioLoop, error) { return g711Loop(true) },
	media.CodecAAC:  func() (*audioLoop, error) { return encodeAudioLoop(media.CodecAAC) },
	media.CodecOpus: func() (*audioLoop, error) { return encodeAudioLoop(media.CodecOpus) },
}

// acquireAudioLoop returns the shared loop of codec c.
func acquireAudioLoop(c media.Codec) (*audioLoop, func(), error) {
	build, ok := audioBuilders[c]
	if !ok {
		return nil, nil, fmt.Errorf("sim: audio codec %q not simulated", c)
	}
	v, release, err := loops.acquire(c, func() (sized, error) { return build() })
	if err != nil {
		return nil, nil, err
	}
	return v.(*audioLoop), release, nil
}

// tone is the loop's sound, one second long: a 1 kHz beep for the first
// 150 ms (handy to check lip sync against the clock) over a quiet 500 Hz
// hum, both whole cycles so the loop joins without a click.
func tone(rate int) []int16 {
	pcm := make([]int16, rate)
	for i := range pcm {
		t := float64(i) / float64(rate)
		v := 0.05 * math.Sin(2*math.Pi*500*t)
		if t < 0.15 {
			v += 0.4 * math.Sin(2*math.Pi*1000*t)
		}
		pcm[i] = int16(v * math.MaxInt16)
	}
	return pcm
}

// g711Samples is 20 ms at 8 kHz, the packet size cameras use.
const g711Samples = 160

// g711Loop codes the tone as 20 ms blocks of A-law or µ-law.
func g711Loop(mulaw bool) (*audioLoop, error) {
	pcm := tone(8000)
	be := make([]byte, 2*len(pcm)) // mediacommon's G.711 takes big-endian LPCM
	for i, v := range pcm {
		be[2*i], be[2*i+1] = byte(uint16(v)>>8), byte(v)
	}
	var coded []byte
	var err error
	codec := media.CodecPCMA
	if mulaw {
		codec = media.CodecPCMU
		coded, err = g711.Mulaw(be).Marshal()
	} else {
		coded, err = g711.Alaw(be).Marshal()
	}
	if err != nil {
		return nil, err
	}
	l := &audioLoop{track: media.Track{Codec: codec, SampleRate: 8000, Channels: 1}, size: len(coded)}
	for len(coded) >= g711Samples {
		l.frames = append(l.frames, coded[:g711Samples])
		l.durs = append(l.durs, g711Samples)
		coded = coded[g711Samples:]
	}
	return l, nil
}

// audioMaxLag is how far a stalled camera catches up; beyond it, audio
// skips ahead rather than sending a burst.
const audioMaxLag = 500 * time.Millisecond

// audioSource sends a loop at the audio clock: a frame goes out once its
// last sample is due, as a camera sends a frame once it is captured.
type audioSource struct {
	loop *audioLoop
	pos  int
	sent int64 // samples sent (or skipped) since the camera started
}

// next returns the next frame due elapsed after the camera started and
// its presentation time, or ok false when none is due yet.
func (a *audioSource) next(elapsed time.Duration) (frame []byte, pts time.Duration, ok bool) {
	rate := int64(a.loop.track.SampleRate)
	due := int64(elapsed) * rate / int64(time.Second)
	if lag := due - a.sent; lag > int64(audioMaxLag)*rate/int64(time.Second) {
		a.sent = due - int64(a.loop.durs[a.pos])
	}
	d := int64(a.loop.durs[a.pos])
	if a.sent+d > due {
		return nil, 0, false
	}
	frame, pts = a.loop.frames[a.pos], time.Duration(a.sent*int64(time.Second)/rate)
	a.sent += d
	a.pos = (a.pos + 1) % len(a.loop.frames)
	return frame, pts, true
}
