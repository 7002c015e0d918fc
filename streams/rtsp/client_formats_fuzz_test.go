package rtsp

import (
	"encoding/binary"
	"testing"

	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/sdp"
	"github.com/pion/rtp"

	"vigil/streams/media"
)

// FuzzCameraSDP feeds session descriptions, as cameras answer DESCRIBE,
// through the track choice a pull starts with. Whatever parses must be
// chosen from without a panic, and a chosen video is H.264 or H.265 with a
// depacketizer. The seed corpus holds real vendors' SDPs.
func FuzzCameraSDP(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var sd sdp.SessionDescription
		if sd.Unmarshal(b) != nil {
			return
		}
		var desc description.Session
		if desc.Unmarshal(&sd) != nil {
			return
		}
		video, err := findVideo(&desc)
		if err == nil && video != nil {
			if c := video.track.Codec; (c != media.CodecH264 && c != media.CodecH265) || video.decode == nil {
				t.Fatalf("chose video %+v", video.track)
			}
		}
		audio, err := findAudio(&desc)
		if err == nil && audio != nil && audio.decode == nil {
			t.Fatalf("chose audio %+v without a depacketizer", audio.track)
		}
		others := otherCodecs(&desc, video, audio)
		if len(others) > countFormats(&desc) {
			t.Fatalf("%d other codecs of %d formats", len(others), countFormats(&desc))
		}
	})
}

func countFormats(desc *description.Session) int {
	n := 0
	for _, m := range desc.Medias {
		n += len(m.Formats)
	}
	return n
}

// FuzzVideoPackets feeds RTP payloads, as a camera sends them, through the
// depacketizer a pull uses: data is a run of payloads, each led by its
// 16-bit length; the last one carries the marker. Units come out without a
// panic and never hold more bytes than went in.
func FuzzVideoPackets(f *testing.F) {
	f.Fuzz(func(t *testing.T, h265 bool, data []byte) {
		desc := &description.Session{Medias: []*description.Media{{Type: description.MediaTypeVideo,
			Formats: []format.Format{videoFormat(h265)}}}}
		p, err := findVideo(desc)
		if err != nil || p == nil {
			t.Fatalf("no depacketizer: %v", err)
		}
		payloads := splitPayloads(data)
		in, out := 0, 0
		for i, payload := range payloads {
			in += len(payload)
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: uint16(i),
				Timestamp: 3600, Marker: i == len(payloads)-1}, Payload: payload}
			nalus, err := p.decode(pkt)
			if err != nil {
				_ = isIncomplete(err)
				continue
			}
			for _, n := range nalus {
				out += len(n)
			}
			if out > in {
				t.Fatalf("%d bytes of NAL units from %d bytes of payload", out, in)
			}
		}
	})
}

func videoFormat(h265 bool) format.Format {
	if h265 {
		return &format.H265{PayloadTyp: 96}
	}
	return &format.H264{PayloadTyp: 96, PacketizationMode: 1}
}

// splitPayloads cuts data into payloads, each led by a 16-bit length.
func splitPayloads(data []byte) [][]byte {
	var out [][]byte
	for len(data) >= 2 {
		n := min(int(binary.BigEndian.Uint16(data)), len(data)-2)
		out = append(out, data[2:2+n])
		data = data[2+n:]
	}
	return out
}
