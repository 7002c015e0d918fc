package segstore

import "fmt"

// Sample is one access unit inside a fragment.
type Sample struct {
	Offset   int64  // absolute position of the payload in the file
	Size     uint32 // payload bytes (AVCC: length-prefixed NAL units)
	Duration uint32 // in the segment's timescale
	// PTSOffset is the composition offset (presentation minus decode
	// time) of a B-frame stream's sample: the trun's signed offset.
	PTSOffset int32
	Key       bool
}

// Fragment is one moof+mdat pair.
type Fragment struct {
	Seq      uint32
	BaseTime uint64   // decode time of the first sample, segment timescale
	Samples  []Sample // the video's
	Start    int64    // file offset of the fragment's moof
	End      int64    // file offset just past the fragment's mdat
	// Audio are the fragment's audio samples (Init.Audio), from
	// AudioBaseTime on in the audio timescale (its sample rate); none in
	// segments recorded without sound.
	Audio         []Sample
	AudioBaseTime uint64
}

// Duration is the sum of the fragment's sample durations.
func (f *Fragment) Duration() uint64 {
	var d uint64
	for _, s := range f.Samples {
		d += uint64(s.Duration)
	}
	return d
}

const (
	tfhdBaseDataOffset = 0x01
	tfhdSampleDescIdx  = 0x02
	tfhdDefDuration    = 0x08
	tfhdDefSize        = 0x10
	tfhdDefFlags       = 0x20
	trunDataOffset     = 0x01
	trunFirstFlags     = 0x04
	trunDuration       = 0x100
	trunSize           = 0x200
	trunFlags          = 0x400
	trunCTO            = 0x800
	flagNonSync        = 0x10000

	// maxSamplesPerTrun bounds the samples of a fragment, and so what a
	// corrupt count can make us allocate: a fragment holds a GOP or a
	// second, far below this.
	maxSamplesPerTrun = 1 << 16
)

// trafDefaults are the per-fragment defaults a tfhd may set.
type trafDefaults struct {
	base                  int64
	track                 uint32
	duration, size, flags uint32
}

// parseMoof fills f from a moof body found at moofStart; sample payloads
// must lie inside [dataStart, dataEnd) (the mdat that follows).
func parseMoof(moof []byte, moofStart, dataStart, dataEnd int64, f *Fragment) error {
	f.Samples, f.Audio, f.AudioBaseTime = f.Samples[:0], f.Audio[:0], 0
	err := eachChild(moof, func(typ string, body []byte) error {
		switch typ {
		case "mfhd":
			r := bodyReader{b: body}
			r.take(4)
			f.Seq = r.u32()
		case "traf":
			return parseTraf(body, moofStart, f)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, samples := range [][]Sample{f.Samples, f.Audio} {
		for _, s := range samples {
			if s.Offset < dataStart || s.Offset+int64(s.Size) > dataEnd {
				return fmt.Errorf("segstore: sample data outside its mdat")
			}
		}
	}
	return nil
}

func parseTraf(traf []byte, moofStart int64, f *Fragment) error {
	d := trafDefaults{base: moofStart}
	samples, base := &f.Samples, &f.BaseTime
	return eachChild(traf, func(typ string, body []byte) error {
		r := bodyReader{b: body}
		switch typ {
		case "tfhd":
			d = parseTfhd(&r, moofStart)
			if d.track == audioTrackID {
				samples, base = &f.Audio, &f.AudioBaseTime
			}
		case "tfdt":
			if r.u8() == 1 {
				r.take(3)
				*base = r.u64()
			} else {
				r.take(3)
				*base = uint64(r.u32())
			}
		case "trun":
			return parseTrun(&r, d, samples)
		}
		if r.bad {
			return fmt.Errorf("segstore: short %s box", typ)
		}
		return nil
	})
}

func parseTfhd(r *bodyReader, moofStart int64) trafDefaults {
	d := trafDefaults{base: moofStart}
	flags := r.u32() & 0xffffff
	d.track = r.u32() // video (trackID) or audio (audioTrackID)
	if flags&tfhdBaseDataOffset != 0 {
		d.base = int64(r.u64() & (1<<62 - 1))
	}
	if flags&tfhdSampleDescIdx != 0 {
		r.take(4)
	}
	if flags&tfhdDefDuration != 0 {
		d.duration = r.u32()
	}
	if flags&tfhdDefSize != 0 {
		d.size = r.u32()
	}
	if flags&tfhdDefFlags != 0 {
		d.flags = r.u32()
	}
	return d
}

func parseTrun(r *bodyReader, d trafDefaults, samples *[]Sample) error {
	flags := r.u32() & 0xffffff
	count := r.u32()
	if count > maxSamplesPerTrun || len(*samples)+int(count) > maxSamplesPerTrun {
		return fmt.Errorf("segstore: trun with %d samples", count)
	}
	off := d.base
	if flags&trunDataOffset != 0 {
		off += int64(int32(r.u32()))
	}
	first, hasFirst := uint32(0), flags&trunFirstFlags != 0
	if hasFirst {
		first = r.u32()
	}
	for i := range count {
		s := Sample{Offset: off, Duration: d.duration, Size: d.size}
		sf := d.flags
		if i == 0 && hasFirst {
			sf = first
		}
		if flags&trunDuration != 0 {
			s.Duration = r.u32()
		}
		if flags&trunSize != 0 {
			s.Size = r.u32()
		}
		if flags&trunFlags != 0 {
			sf = r.u32()
		}
		if flags&trunCTO != 0 {
			// Version 1 offsets are signed; version 0 ones are unsigned
			// but never beyond int32 in a sane stream either.
			s.PTSOffset = int32(r.u32())
		}
		if r.bad {
			return fmt.Errorf("segstore: short trun")
		}
		s.Key = sf&flagNonSync == 0
		off += int64(s.Size)
		*samples = append(*samples, s)
	}
	return nil
}
