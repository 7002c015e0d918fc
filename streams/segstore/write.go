package segstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4/seekablebuffer"
)

// Segments are written by mediacommon's fMP4 muxer, the one mediamtx
// records with: this package only maps its own types onto it.

// trackID is the ID of a segment's only track.
const trackID = 1

// AppendInit appends a fragmented-MP4 header (ftyp + moov with mvex) for
// one H.264 (avc1) or H.265 (hev1) track and, when in.Audio is present,
// its audio track. The picture size written is the one the SPS gives.
// in's parameter sets must be valid, as every Init that record builds or
// NewReader returns is, and its audio pass CheckAudio; AppendInit
// panics otherwise.
func AppendInit(b []byte, in Init) []byte {
	fi := &fmp4.Init{Tracks: []*fmp4.InitTrack{{
		ID:        trackID,
		TimeScale: in.Timescale,
		Codec:     in.mp4Codec(),
	}}}
	if in.Audio.Present() {
		a, err := in.Audio.initTrack()
		if err != nil {
			panic(err.Error())
		}
		fi.Tracks = append(fi.Tracks, a)
	}
	b, err := appendMarshal(b, fi)
	if err != nil {
		panic(fmt.Sprintf("segstore: segment header: %v", err))
	}
	return b
}

// appendMarshal lets a mediacommon muxer, which seeks back to patch box
// sizes, write straight after the end of b: a recorder reuses b, so its
// fragments cost no buffer of their own.
func appendMarshal(b []byte, m interface{ Marshal(io.WriteSeeker) error }) ([]byte, error) {
	buf := seekablebuffer.Buffer{Buffer: *bytes.NewBuffer(b)}
	if _, err := buf.Seek(0, io.SeekEnd); err != nil {
		return nil, err
	}
	err := m.Marshal(&buf)
	return buf.Bytes(), err
}

// OutSample is one access unit to write: its NAL units are stored
// length-prefixed (AVCC, the same for H.265), in-band parameter sets
// included.
type OutSample struct {
	Duration uint32
	// PTSOffset is the composition offset (presentation minus decode
	// time, in the timescale) of a B-frame stream's sample; zero without
	// B-frames.
	PTSOffset int32
	Key       bool
	NALUs     [][]byte
}

// Size is the sample's payload size in the file.
func (s *OutSample) Size() int {
	n := 0
	for _, nalu := range s.NALUs {
		n += 4 + len(nalu)
	}
	return n
}

// avccPool holds payload scratch buffers for AppendFragment.
var avccPool = sync.Pool{New: func() any { return new([]byte) }}

// AppendFragment appends one moof+mdat holding samples, whose first
// decode time is base (in the segment timescale).
func AppendFragment(b []byte, seq uint32, base uint64, samples []OutSample) []byte {
	return AppendFragmentAV(b, seq, base, samples, 0, nil)
}

// AppendFragmentAV is AppendFragment with audio beside the video:
// audio's samples (each one codec frame, NALUs[0] its bytes) start at
// audioBase in the audio track's timescale. No audio writes no audio
// traf.
func AppendFragmentAV(b []byte, seq uint32, base uint64, samples []OutSample, audioBase uint64, audio []OutSample) []byte {
	total := 0
	for i := range samples {
		total += samples[i].Size()
	}
	// One scratch buffer for every payload, reused across fragments: the
	// muxer copies the payloads into b, so nothing keeps it afterwards.
	scratch := avccPool.Get().(*[]byte)
	defer avccPool.Put(scratch)
	avcc := slices.Grow((*scratch)[:0], total)
	defer func() { *scratch = avcc[:0] }()
	track := &fmp4.PartTrack{ID: trackID, BaseTime: base, Samples: make([]*fmp4.Sample, len(samples))}
	for i := range samples {
		start := len(avcc)
		for _, nalu := range samples[i].NALUs {
			avcc = binary.BigEndian.AppendUint32(avcc, uint32(len(nalu)))
			avcc = append(avcc, nalu...)
		}
		track.Samples[i] = &fmp4.Sample{
			Duration:        samples[i].Duration,
			PTSOffset:       samples[i].PTSOffset,
			IsNonSyncSample: !samples[i].Key,
			Payload:         avcc[start:len(avcc):len(avcc)],
		}
	}
	part := &fmp4.Part{SequenceNumber: seq, Tracks: []*fmp4.PartTrack{track}}
	if len(audio) > 0 {
		at := &fmp4.PartTrack{ID: audioTrackID, BaseTime: audioBase, Samples: make([]*fmp4.Sample, len(audio))}
		for i := range audio {
			at.Samples[i] = &fmp4.Sample{Duration: audio[i].Duration, Payload: audio[i].NALUs[0]}
		}
		part.Tracks = append(part.Tracks, at)
	}
	b, err := appendMarshal(b, part)
	if err != nil {
		// Writing boxes of fixed layout to memory has no way to fail.
		panic(fmt.Sprintf("segstore: fragment: %v", err))
	}
	return b
}
