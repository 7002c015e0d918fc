package clip

import (
	"bytes"
	"context"
	"time"

	"vigil/streams/segstore"
)

// audioLayout is the clip's sound track, known after the planning pass:
// the camera's recorded audio from the clip's first played moment to its
// last, its media after the video's in the mdat.
type audioLayout struct {
	init     segstore.AudioInit
	entry    []byte // the stsd's sample entry
	n        counts
	from, to time.Time // the wall-clock range the clip plays
	first    time.Time // the first audio sample's wall time
	mediaDur int64     // ticks of the sample rate
}

func (a *audioLayout) present() bool { return a.n.nStsz > 0 }

func (a *audioLayout) tableBytes(co64 bool) [nTables]int64 { return a.n.tableBytes(co64, false) }

func (a *audioLayout) tablesTotal(co64 bool) int64 {
	var t int64
	for _, b := range a.tableBytes(co64) {
		t += b
	}
	return t
}

// audioBytes is the size of the audio trak, tables included; 0 without.
func (l *layout) audioBytes() int64 {
	if !l.audio.present() {
		return 0
	}
	return int64(len(l.audioPrefix())) + l.audio.tablesTotal(l.co64)
}

// audioPrefix returns the audio trak up to its sample tables.
func (l *layout) audioPrefix() []byte {
	a := &l.audio
	ct := macTime(l.created)
	delay := uint32(max(a.first.Sub(a.from), 0) / time.Millisecond)
	total := ms(l.elstDur)
	play := uint32(min(a.mediaDur*1000/int64(a.init.SampleRate), int64(total-min(delay, total))))
	w := boxes{}
	w.start("trak")
	w.full("tkhd", 0, 3)                                  // enabled, in movie
	w.u32s(ct, ct, 2, 0, delay+play, 0, 0, 0, 0x01000000) // volume 1.0
	w.matrix()
	w.u32s(0, 0)
	w.end()
	// Sound starts where it was recorded: silence (an empty edit) until
	// the first sample, so it stays in step with the picture.
	w.start("edts")
	if delay > 0 {
		w.full("elst", 0, 0)
		w.u32s(2, delay, 0xffffffff, 0x10000, play, 0, 0x10000)
	} else {
		w.full("elst", 0, 0)
		w.u32s(1, play, 0, 0x10000)
	}
	w.end()
	w.end()
	w.start("mdia")
	w.full("mdhd", 0, 0)
	w.u32s(ct, ct, uint32(a.init.SampleRate), uint32(a.mediaDur))
	w.u16(0x55c4) // "und"
	w.u16(0)
	w.end()
	w.full("hdlr", 0, 0)
	w.u32(0)
	w.b = append(w.b, "soun"...)
	w.zeros(12)
	w.b = append(w.b, "SoundHandler\x00"...)
	w.end()
	w.start("minf")
	w.full("smhd", 0, 0)
	w.u32(0) // balance, reserved
	w.end()
	w.start("dinf")
	w.full("dref", 0, 0)
	w.u32(1)
	w.full("url ", 0, 1)
	w.end()
	w.end()
	w.end()
	w.start("stbl")
	w.full("stsd", 0, 0)
	w.u32(1)
	w.b = append(w.b, a.entry...)
	w.end()
	w.closeAll(a.tablesTotal(l.co64))
	return w.b
}

// planAudio finds the clip's sound and sizes its tables. A clip of a
// camera recorded without sound has none.
func (p *planned) planAudio(ctx context.Context, segs []segstore.Segment) error {
	a := &p.audio
	a.from, a.to = p.tl.timeOf(p.elstStart), p.tl.timeOf(p.elstStart+p.elstDur)
	a.init = firstAudio(segs)
	if !a.init.Present() {
		return nil
	}
	entry, err := segstore.AudioSampleEntry(a.init)
	if err != nil {
		return nil // a track no clip can describe: the clip is silent
	}
	a.entry = entry
	b := tableBuilder{sink: &a.n}
	return p.walkAudio(ctx, segs, &b)
}

// firstAudio is the audio of the first segment recorded with sound.
func firstAudio(segs []segstore.Segment) segstore.AudioInit {
	for _, s := range segs {
		w, err := openWalker(s, nil)
		if err != nil {
			continue
		}
		a := w.sr.Init.Audio
		w.close()
		if a.Present() {
			return a
		}
	}
	return segstore.AudioInit{}
}

// walkAudio feeds b the clip's audio samples: those recorded in the
// played range, in segments whose sound is the clip's. Durations run to
// the next sample, so a gap keeps the sound in step with the wall clock.
func (p *planned) walkAudio(ctx context.Context, segs []segstore.Segment, b *tableBuilder) error {
	a := &p.audio
	aw := audioWalker{segs: segs, a: a.init, from: a.from, to: a.to, i: -1}
	defer aw.close()
	var cur, nxt audioRaw
	have := aw.next(&cur)
	if !have {
		return nil
	}
	a.first = cur.wall
	rate := int64(a.init.SampleRate)
	tick := func(t time.Time) int64 { return int64(t.Sub(a.first)) * rate / int64(time.Second) }
	var prev sample
	for n := 0; have; n++ {
		haveNext := aw.next(&nxt)
		s := sample{dts: tick(cur.wall), size: cur.size, seg: cur.seg, off: cur.off}
		d := int64(cur.dur)
		if haveNext {
			d = tick(nxt.wall) - s.dts
		}
		s.dur = uint32(max(d, 1))
		s.chunk = n == 0 || s.seg != prev.seg || s.off != prev.off+int64(prev.size)
		b.add(&s)
		a.mediaDur = s.dts + int64(s.dur)
		prev, cur, have = s, nxt, haveNext
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	b.finish()
	return nil
}

// audioRaw is one recorded audio sample.
type audioRaw struct {
	wall time.Time
	dur  uint32 // as recorded, in samples
	size uint32
	seg  int
	off  int64
}

// audioWalker reads the audio samples of [from, to) across segments,
// one fragment at a time, leaving out what the video export leaves out
// (fragments that fail their hash, damage).
type audioWalker struct {
	segs     []segstore.Segment
	a        segstore.AudioInit
	from, to time.Time
	i        int
	w        *fragWalker
	frag     segstore.Fragment
	k        int
	t        uint64 // ticks of sample k in its segment
}

func (aw *audioWalker) close() {
	if aw.w != nil {
		aw.w.close()
		aw.w = nil
	}
}

func (aw *audioWalker) next(r *audioRaw) bool {
	for {
		if aw.w == nil || aw.k >= len(aw.frag.Audio) {
			if !aw.advance() {
				return false
			}
			continue
		}
		s := aw.frag.Audio[aw.k]
		wall := aw.segs[aw.i].Start.Add(time.Duration(aw.t) * time.Second / time.Duration(aw.a.SampleRate))
		aw.k++
		aw.t += uint64(s.Duration)
		if !wall.Before(aw.to) {
			aw.close()
			aw.i = len(aw.segs)
			return false
		}
		if wall.Before(aw.from) {
			continue
		}
		*r = audioRaw{wall: wall, dur: s.Duration, size: s.Size, seg: aw.i, off: s.Offset}
		return true
	}
}

// advance reads the next fragment with sound, moving on to the next
// segment recorded with the clip's sound as needed.
func (aw *audioWalker) advance() bool {
	for {
		if aw.w != nil && aw.w.next(&aw.frag) == nil {
			aw.k, aw.t = 0, aw.frag.AudioBaseTime
			return true
		}
		aw.close()
		if aw.i+1 >= len(aw.segs) {
			return false
		}
		aw.i++
		w, err := openWalker(aw.segs[aw.i], nil)
		if err != nil {
			continue
		}
		if !sameAudio(w.sr.Init.Audio, aw.a) {
			w.close()
			continue
		}
		aw.w = w
	}
}

func sameAudio(x, y segstore.AudioInit) bool {
	return x.Codec == y.Codec && x.SampleRate == y.SampleRate && x.Channels == y.Channels && bytes.Equal(x.Config, y.Config)
}
