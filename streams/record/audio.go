package record

import (
	"context"
	"sync"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/g711"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/opus"

	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

// maxQueuedAudio bounds the audio units waiting for the writer's next
// fragment: about 30 s of 20 ms packets, far beyond a fragment's second.
const maxQueuedAudio = 1500

// audioIn collects the camera's sound for the writer. A goroutine of its
// own (Run owns it and waits for it) takes what the sound hub delivers,
// since the writer blocks on the video hub; and the writer takes what is
// waiting itself before it looks (take, current). The camera's sound and
// picture are published in the order they came, so a segment cut at a
// keyframe holds all the sound published before that keyframe, even when
// that goroutine was not scheduled since: with the goroutine alone, on a
// busy machine, the sound of a segment's last tenth of a second came
// after the cut and was moved up to the next segment's start, leaving a
// gap at the cut and pushing that segment's sound late.
type audioIn struct {
	rd *hub.Reader // nil in tests that deliver by hand

	mu      sync.Mutex
	track   media.Track
	online  bool
	changed bool // the track changed since the writer last looked
	units   []*media.AccessUnit
	dropped uint64
}

// attachAudio attaches a reader to the camera's sound hub h and takes its
// first delivery, the hub's status, at once: a segment's tracks are fixed
// when it opens, and the first segment opens at the camera's first
// keyframe, which can come before run's goroutine is first scheduled.
func attachAudio(h *hub.Hub) *audioIn {
	a := &audioIn{rd: h.NewReader()}
	a.mu.Lock()
	a.drainLocked()
	a.mu.Unlock()
	return a
}

// run takes the sound hub's deliveries as they come until ctx ends or
// the reader is closed, then closes the reader.
func (a *audioIn) run(ctx context.Context) {
	defer a.rd.Close()
	for {
		a.mu.Lock()
		err := a.drainLocked()
		a.mu.Unlock()
		if err != nil {
			return
		}
		select {
		case <-a.rd.Ready():
		case <-ctx.Done():
			return
		}
	}
}

// drainLocked delivers what the reader holds; a.mu is held, so what the
// writer takes is in the order the hub had it.
func (a *audioIn) drainLocked() error {
	if a.rd == nil {
		return nil
	}
	for {
		d, ok, err := a.rd.TryRead()
		if err != nil || !ok {
			return err
		}
		a.deliverLocked(d)
	}
}

// deliver takes in one delivery of the sound hub.
func (a *audioIn) deliver(d hub.Delivery) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.deliverLocked(d)
}

func (a *audioIn) deliverLocked(d hub.Delivery) {
	if d.Status != nil {
		a.track, a.online, a.changed = d.Status.Track, d.Status.State == hub.StateOnline, true
		a.units = nil // what follows is another stream
	}
	for _, au := range d.Units {
		if len(a.units) >= maxQueuedAudio {
			a.units = a.units[1:]
			a.dropped++
		}
		a.units = append(a.units, au)
	}
}

// current returns the audio track and whether it is online, for a
// segment about to start: the segment is made for this track, so it
// counts as seen (no change to wait out).
func (a *audioIn) current() (media.Track, bool) {
	if a == nil {
		return media.Track{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.drainLocked()
	a.changed = false
	return a.track, a.online
}

// take returns the units that arrived since the last call, in buf, and
// whether the track changed meanwhile.
func (a *audioIn) take(buf []*media.AccessUnit) ([]*media.AccessUnit, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.drainLocked()
	buf = append(buf[:0], a.units...)
	clear(a.units)
	a.units = a.units[:0]
	changed := a.changed
	a.changed = false
	return buf, changed
}

// audioInitOf is how a segment records track, or false when it cannot.
func audioInitOf(t media.Track) (segstore.AudioInit, bool) {
	a := segstore.AudioInit{Codec: t.Codec, SampleRate: t.SampleRate, Channels: max(t.Channels, 1), Config: t.Config}
	switch t.Codec {
	case media.CodecPCMA, media.CodecPCMU:
		a.Codec = segstore.CodecLPCM
	case media.CodecOpus:
		a.SampleRate = 48000 // Opus timestamps are always 48 kHz
	}
	return a, segstore.CheckAudio(a) == nil
}

// audioFrames splits a unit into samples of the segment's audio track:
// payload and duration in samples per channel.
func audioFrames(codec media.Codec, track segstore.AudioInit, au *media.AccessUnit, fn func(payload []byte, dur uint32)) {
	for _, f := range au.NALUs {
		switch codec {
		case media.CodecAAC:
			fn(f, 1024)
		case media.CodecOpus:
			fn(f, uint32(max(opus.PacketDuration2(f), 1)))
		case media.CodecPCMA:
			var pcm g711.Alaw
			pcm.Unmarshal(f)
			fn(pcm, uint32(len(f)/track.Channels))
		case media.CodecPCMU:
			var pcm g711.Mulaw
			pcm.Unmarshal(f)
			fn(pcm, uint32(len(f)/track.Channels))
		}
	}
}

// audioTrack is the writer's state of the open segment's sound.
type audioTrack struct {
	codec      media.Codec // as the camera sends it
	init       segstore.AudioInit
	on         bool   // the open segment has an audio track
	started    bool   // a sample was written to it
	next       uint64 // ticks just past the last sample written
	anchored   bool   // wall = anchorWall + (PTS - anchorPTS)
	anchorWall time.Time
	anchorPTS  time.Duration
	endWall    time.Time // where the sound written so far ends, by its wall clock
	units      []*media.AccessUnit
	samples    []segstore.OutSample
}

// maxAudioJitter is how far an audio unit may stray from where the
// previous ones end and still join them without a gap in the track.
const maxAudioJitter = 100 * time.Millisecond

// wallOf maps an audio unit's PTS to the wall clock, re-anchored to its
// arrival when the clocks drift apart, as the video's.
func (at *audioTrack) wallOf(au *media.AccessUnit) time.Time {
	recv := au.Received
	if recv.IsZero() {
		recv = time.Now()
	}
	if at.anchored {
		t := at.anchorWall.Add(au.PTS - at.anchorPTS)
		if d := t.Sub(recv); d < maxDrift && d > -maxDrift {
			return t
		}
	}
	at.anchored, at.anchorWall, at.anchorPTS = true, recv, au.PTS
	return recv
}

// collect turns the units that arrived into the next fragment's audio
// samples, placed on the segment's timeline (start is its wall clock
// start). It returns the samples and their base time.
func (at *audioTrack) collect(in *audioIn, start time.Time) (uint64, []segstore.OutSample) {
	if in == nil {
		return 0, nil
	}
	var changed bool
	at.units, changed = in.take(at.units)
	if changed {
		at.anchored, at.endWall = false, time.Time{}
	}
	clear(at.samples)
	at.samples = at.samples[:0]
	if !at.on || changed {
		at.on = at.on && !changed // a new track waits for the next segment
		return 0, nil
	}
	rate := int64(at.init.SampleRate)
	base := uint64(0)
	for _, au := range at.units {
		wall := at.wallOf(au)
		off := wall.Sub(start)
		if off < 0 {
			if len(at.samples) == 0 && !at.continues(wall, off) {
				continue // before the segment, the camera's sound before the recording
			}
			off = 0
		}
		tick := uint64(int64(off) * rate / int64(time.Second))
		if len(at.samples) == 0 {
			base = max(tick, at.next)
			if at.started && tick < at.next+uint64(int64(maxAudioJitter)*rate/int64(time.Second)) {
				base = at.next // jitter, not a gap: keep the track seamless
			}
		}
		var ticks uint64
		audioFrames(at.codec, at.init, au, func(p []byte, d uint32) {
			at.samples = append(at.samples, segstore.OutSample{Duration: d, Key: true, NALUs: [][]byte{p}})
			ticks += uint64(d)
		})
		at.endWall = wall.Add(time.Duration(ticks * uint64(time.Second) / uint64(rate)))
	}
	clear(at.units)
	if len(at.samples) == 0 {
		return 0, nil
	}
	at.started = true
	at.next = base
	for _, s := range at.samples {
		at.next += uint64(s.Duration)
	}
	return base, at.samples
}

// continues reports whether a unit at wall, off before the segment's
// start, is the sound that follows what was written (in the last
// segment): it came after that segment's last fragment, so it opens this
// one, or it would be lost. The sound's and the picture's wall clocks
// are anchored apart, each on its first arrival, so the sound after a cut
// can be placed before the new segment by its own clock; it is moved up
// to the segment's start, by less than maxDrift, as the anchors are.
// Sound queued while no segment was open (the picture stalled) is far
// before the start and is dropped: what it went with was not recorded.
func (at *audioTrack) continues(wall time.Time, off time.Duration) bool {
	if at.endWall.IsZero() || off <= -maxDrift {
		return false
	}
	d := wall.Sub(at.endWall)
	return d > -maxAudioJitter && d < maxAudioJitter
}

// begin sets up the sound of a segment being opened.
func (at *audioTrack) begin(in *audioIn) segstore.AudioInit {
	at.on, at.started, at.next = false, false, 0
	t, online := in.current()
	if !online {
		return segstore.AudioInit{}
	}
	a, ok := audioInitOf(t)
	if !ok {
		return segstore.AudioInit{}
	}
	at.on, at.codec, at.init = true, t.Codec, a
	return a
}
