package segstore

import (
	"bytes"
	"testing"

	"vigil/streams/media"
)

// aacMono16k is the AudioSpecificConfig of AAC-LC, 16 kHz, mono.
var aacMono16k = []byte{0x14, 0x08}

var audioInits = map[string]AudioInit{
	"aac":  {Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: aacMono16k},
	"opus": {Codec: media.CodecOpus, SampleRate: 48000, Channels: 1},
	"lpcm": {Codec: CodecLPCM, SampleRate: 8000, Channels: 1},
}

// avSegment is a segment of one fragment: three video frames and five
// audio frames of a's codec, each payload its index repeated.
func avSegment(a AudioInit) []byte {
	in := testInit
	in.Audio = a
	b := AppendInit(nil, in)
	video := make([]OutSample, 3)
	for i := range video {
		video[i] = OutSample{Duration: 3600, Key: i == 0, NALUs: [][]byte{bytes.Repeat([]byte{byte(i + 1)}, 20)}}
	}
	audio := make([]OutSample, 5)
	for i := range audio {
		audio[i] = OutSample{Duration: 320, NALUs: [][]byte{bytes.Repeat([]byte{byte(0x40 + i)}, 7+i)}}
	}
	return AppendFragmentAV(b, 1, 0, video, 960, audio)
}

// A segment with sound reads back with its audio track described in the
// header and its audio samples beside the video's, each in its place.
func TestSegmentWithAudio(t *testing.T) {
	t.Parallel()
	for name, a := range audioInits {
		b := avSegment(a)
		sr, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := sr.Init.Audio
		if got.Codec != a.Codec || got.SampleRate != a.SampleRate || got.Channels != a.Channels || !bytes.Equal(got.Config, a.Config) {
			t.Fatalf("%s: audio read back as %+v", name, got)
		}
		if sr.Init.Codec != media.CodecH264 || sr.Init.Width != 640 {
			t.Fatalf("%s: video read back as %+v", name, sr.Init)
		}
		var f Fragment
		if err := sr.Next(&f); err != nil {
			t.Fatal(err)
		}
		if len(f.Samples) != 3 || len(f.Audio) != 5 || f.AudioBaseTime != 960 || f.BaseTime != 0 {
			t.Fatalf("%s: %d video, %d audio samples from %d", name, len(f.Samples), len(f.Audio), f.AudioBaseTime)
		}
		for i, s := range f.Audio {
			want := bytes.Repeat([]byte{byte(0x40 + i)}, 7+i)
			if s.Duration != 320 || !bytes.Equal(b[s.Offset:s.Offset+int64(s.Size)], want) {
				t.Fatalf("%s: audio sample %d: %+v", name, i, s)
			}
		}
		if p := b[f.Samples[2].Offset+4]; p != 3 {
			t.Fatalf("%s: video sample 2 reads %d", name, p)
		}
		entry, err := AudioSampleEntry(a)
		want := map[media.Codec]string{media.CodecAAC: "mp4a", media.CodecOpus: "Opus", CodecLPCM: "twos"}[a.Codec]
		if err != nil || string(entry[4:8]) != want {
			t.Fatalf("%s: sample entry %q, %v", name, entry[:min(len(entry), 8)], err)
		}
	}
}

// G.711 has no fMP4 sample entry: it is recorded as LPCM, and an audio
// codec segments cannot hold is refused before a segment starts.
func TestCheckAudio(t *testing.T) {
	t.Parallel()
	for _, bad := range []AudioInit{
		{Codec: media.CodecPCMA, SampleRate: 8000, Channels: 1},
		{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1, Config: []byte{0xff}},
		{Codec: CodecLPCM, Channels: 1},
	} {
		if CheckAudio(bad) == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	for name, a := range audioInits {
		if err := CheckAudio(a); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
