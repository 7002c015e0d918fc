package segstore

import (
	"bytes"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
)

// TestWriteIsPlainFMP4 reads a written segment back with mediacommon's own
// decoders: what record writes is what any fMP4 reader expects.
func TestWriteIsPlainFMP4(t *testing.T) {
	t.Parallel()
	b := segmentBytes(2, 5, 10)
	var init fmp4.Init
	if err := init.Unmarshal(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	codec, ok := init.Tracks[0].Codec.(*mp4.CodecH264)
	if len(init.Tracks) != 1 || !ok || init.Tracks[0].TimeScale != Timescale ||
		!bytes.Equal(codec.SPS, testInit.SPS) || !bytes.Equal(codec.PPS, testInit.PPS) {
		t.Fatalf("init = %+v", init.Tracks[0])
	}
	sr, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var parts fmp4.Parts
	if err := parts.Unmarshal(b[sr.Pos():]); err != nil {
		t.Fatal(err)
	}
	if len(parts) != 2 {
		t.Fatalf("%d fragments, want 2", len(parts))
	}
	for i, p := range parts {
		tr := p.Tracks[0]
		if p.SequenceNumber != uint32(i+1) || tr.BaseTime != uint64(i*5*3600) || len(tr.Samples) != 5 {
			t.Fatalf("fragment %d: seq %d base %d samples %d", i, p.SequenceNumber, tr.BaseTime, len(tr.Samples))
		}
		for j, s := range tr.Samples {
			if s.IsNonSyncSample != (j > 0) || s.Duration != 3600 || len(s.Payload) != 14 ||
				!bytes.Equal(s.Payload[:4], []byte{0, 0, 0, 10}) {
				t.Fatalf("fragment %d sample %d = %+v", i, j, s)
			}
		}
	}
}

// TestAppendKeepsPrefix checks that the muxer writes after what b holds,
// and that sample offsets account for it.
func TestAppendKeepsPrefix(t *testing.T) {
	t.Parallel()
	prefix := []byte("prefix")
	b := AppendFragment(bytes.Clone(prefix), 7, 0, []OutSample{{Duration: 1, Key: true, NALUs: [][]byte{{0x65, 1}}}})
	if !bytes.HasPrefix(b, prefix) {
		t.Fatalf("prefix overwritten: %q", b[:len(prefix)])
	}
	var parts fmp4.Parts
	if err := parts.Unmarshal(b[len(prefix):]); err != nil {
		t.Fatal(err)
	}
	if got := parts[0].Tracks[0].Samples[0].Payload; !bytes.Equal(got, []byte{0, 0, 0, 2, 0x65, 1}) {
		t.Fatalf("payload %x", got)
	}
}

// BenchmarkAppendFragment writes one second of a 2 Mbit/s, 25 fps camera
// as one fragment into a reused buffer, as the recorder does.
func BenchmarkAppendFragment(b *testing.B) {
	samples := make([]OutSample, 25)
	for i := range samples {
		nalu := make([]byte, 10_000)
		nalu[0] = 0x41
		samples[i] = OutSample{Duration: 3600, Key: i == 0, NALUs: [][]byte{nalu}}
	}
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendFragment(buf[:0], uint32(i), uint64(i)*90000, samples)
	}
}
