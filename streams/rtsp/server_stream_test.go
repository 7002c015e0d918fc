package rtsp

import (
	"bytes"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/pion/rtp"

	"vigil/internal/testwait"
	"vigil/streams/media"
)

// serverTestPlayAll describes and plays every media of url over TCP and
// returns the session description and a channel of all packets.
func serverTestPlayAll(t *testing.T, url string) (*description.Session, <-chan serverTestPacket) {
	t.Helper()
	u, err := base.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	tr := gortsplib.TransportTCP
	c := &gortsplib.Client{Scheme: u.Scheme, Host: u.Host, Transport: &tr}
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	desc, _, err := c.Describe(u)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetupAll(desc.BaseURL, desc.Medias); err != nil {
		t.Fatal(err)
	}
	got := make(chan serverTestPacket, 1000)
	c.OnPacketRTPAny(func(m *description.Media, f format.Format, p *rtp.Packet) {
		select {
		case got <- serverTestPacket{m, f, p}:
		default:
		}
	})
	if _, err := c.Play(nil); err != nil {
		t.Fatal(err)
	}
	return desc, got
}

type serverTestPacket struct {
	media *description.Media
	forma format.Format
	pkt   *rtp.Packet
}

// serverTestStream starts a server with one path.
func serverTestStream(t *testing.T, video media.Track, audio *media.Track) *Server {
	t.Helper()
	s, err := NewServer(ServerOptions{Address: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.AddStream("cam", video, audio); err != nil {
		t.Fatal(err)
	}
	return s
}

// H.265 parameter sets of a 1920x1080 stream (gortsplib's SDP test), which
// clients parse from the SDP.
var (
	testVPS = []byte{
		0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00,
		0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x96, 0xac, 0x09,
	}
	testSPS = []byte{
		0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x96, 0xa0, 0x05, 0xa2,
		0x01, 0xe1, 0x63, 0x6b, 0x92, 0x4c, 0x9a, 0xe5, 0x99,
	}
	testPPS = []byte{0x44, 0x01, 0xe0, 0x76, 0xb0, 0x26, 0x40}
)

func TestServerH265(t *testing.T) {
	s := serverTestStream(t, media.Track{Codec: media.CodecH265, VPS: testVPS, SPS: testSPS, PPS: testPPS}, nil)
	desc, pkts := serverTestPlayAll(t, s.URL("cam"))
	var forma *format.H265
	if desc.FindFormat(&forma) == nil || !bytes.Equal(forma.VPS, testVPS) || !bytes.Equal(forma.PPS, testPPS) {
		t.Fatalf("SDP %+v", desc.Medias)
	}
	// An IDR_W_RADL slice big enough for fragmentation units.
	idr := bytes.Repeat([]byte{0xAB}, 5000)
	idr[0], idr[1] = 19<<1, 1
	au := [][]byte{testVPS, testSPS, testPPS, idr}
	dec, err := forma.CreateDecoder()
	if err != nil {
		t.Fatal(err)
	}
	// Readers attach asynchronously after PLAY: write until one arrives.
	var p serverTestPacket
	n := 0
	testwait.For(t, "the first packet", func() bool {
		if err := s.WriteAccessUnit("cam", time.Duration(n)*40*time.Millisecond, au); err != nil {
			t.Fatal(err)
		}
		n++
		select {
		case p = <-pkts:
			return true
		default:
			return false
		}
	})
	for {
		got, err := dec.Decode(p.pkt)
		if err == nil {
			if len(got) != 4 || !bytes.Equal(got[3], idr) {
				t.Fatalf("decoded %d NAL units", len(got))
			}
			return
		}
		p = serverTestWait(t, pkts)
	}
}

func serverTestWait(t *testing.T, ch <-chan serverTestPacket) serverTestPacket {
	t.Helper()
	return within(t, ch, "packet")
}

func TestServerAudio(t *testing.T) {
	video := media.Track{Codec: media.CodecH264, SPS: []byte{0x67, 0x42, 0xc0, 0x1e}, PPS: []byte{0x68, 0xce}}
	for _, tc := range []struct {
		track   media.Track
		rtpmap  string
		pt      uint8
		frames  [][]byte
		tsSteps []uint32 // RTP timestamp of each packet after the first
	}{
		{media.Track{Codec: media.CodecPCMA}, "PCMA/8000", 8, [][]byte{make([]byte, 160), make([]byte, 160)}, []uint32{160}},
		{media.Track{Codec: media.CodecPCMU}, "PCMU/8000", 0, [][]byte{make([]byte, 160)}, nil},
		// TOC 0x08: SILK narrowband, 20 ms, one frame.
		{media.Track{Codec: media.CodecOpus, Channels: 1}, "opus/48000/2", serverAudioPT,
			[][]byte{{0x08, 1}, {0x08, 2}, {0x08, 3}}, []uint32{960, 1920}},
		// Two AUs fit one RFC 3640 packet.
		{media.Track{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1}, "mpeg4-generic/16000/1", serverAudioPT,
			[][]byte{{0x21, 0x10}, {0x21, 0x11}}, nil},
	} {
		t.Run(string(tc.track.Codec), func(t *testing.T) {
			s := serverTestStream(t, video, &tc.track)
			desc, pkts := serverTestPlayAll(t, s.URL("cam"))
			if len(desc.Medias) != 2 || desc.Medias[1].Type != description.MediaTypeAudio {
				t.Fatalf("medias %+v", desc.Medias)
			}
			f := desc.Medias[1].Formats[0]
			if f.RTPMap() != tc.rtpmap || f.PayloadType() != tc.pt {
				t.Fatalf("audio format %q pt %d", f.RTPMap(), f.PayloadType())
			}
			// Readers attach asynchronously after PLAY: write until one arrives.
			var first serverTestPacket
			testwait.For(t, "the first audio packet", func() bool {
				if err := s.WriteAudio("cam", time.Second, tc.frames); err != nil {
					t.Fatal(err)
				}
				select {
				case first = <-pkts:
					return true
				default:
					return false
				}
			})
			got := []*rtp.Packet{first.pkt}
			for range tc.tsSteps {
				got = append(got, serverTestWait(t, pkts).pkt)
			}
			for i, step := range tc.tsSteps {
				if d := got[i+1].Timestamp - got[0].Timestamp; d != step {
					t.Errorf("packet %d at +%d, want +%d", i+1, d, step)
				}
			}
		})
	}
}

func TestServerAACConfig(t *testing.T) {
	conf, _ := mpeg4audio.AudioSpecificConfig{Type: 2, SampleRate: 48000, ChannelCount: 1}.Marshal()
	s := serverTestStream(t, media.Track{Codec: media.CodecH264},
		&media.Track{Codec: media.CodecAAC, Config: conf})
	desc, _ := serverTestPlayAll(t, s.URL("cam"))
	var f *format.MPEG4Audio
	if desc.FindFormat(&f) == nil || f.Config.SampleRate != 48000 || f.SizeLength != 13 {
		t.Fatalf("SDP %+v", desc.Medias)
	}
}

func TestServerAddStreamRejects(t *testing.T) {
	s := serverTestStream(t, media.Track{Codec: media.CodecH264}, nil)
	for _, tc := range []struct {
		video media.Track
		audio *media.Track
	}{
		{media.Track{Codec: media.CodecAAC}, nil},
		{media.Track{Codec: "VP8"}, nil},
		{media.Track{Codec: media.CodecH264}, &media.Track{Codec: media.CodecH265}},
		{media.Track{Codec: media.CodecH264}, &media.Track{Codec: media.CodecPCMA, SampleRate: 16000}},
		{media.Track{Codec: media.CodecH264}, &media.Track{Codec: media.CodecAAC}},
	} {
		if err := s.AddStream("other", tc.video, tc.audio); err == nil {
			t.Errorf("%+v %+v accepted", tc.video, tc.audio)
		}
	}
	if err := s.WriteAudio("cam", 0, [][]byte{{1}}); err == nil {
		t.Error("audio written to a path without audio")
	}
}
