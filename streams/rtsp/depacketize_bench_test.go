package rtsp

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/pion/rtp"
)

// BenchmarkVideoDepacketizeGOP depacketizes one GOP of a 2 Mbit/s, 25 fps
// camera as its packets come over TCP (an op): an IDR of 60 kB with its
// parameter sets, 24 P frames of 8 kB, an SEI in every frame, in packets
// of 1200 bytes. "gortsplib+keep" is the path before vigil's
// depacketizers: video_path.go's keep copied each payload out of the
// read buffer for gortsplib's decoder.
func BenchmarkVideoDepacketizeGOP(b *testing.B) {
	for _, codec := range []struct {
		name      string
		h265      bool
		gortsplib func() func(*rtp.Packet) ([][]byte, error)
		vigil     func() func(*rtp.Packet) ([][]byte, error)
		fragment  func([]byte) (fu, start bool)
	}{
		{"H264", false, func() func(*rtp.Packet) ([][]byte, error) {
			d := &rtph264.Decoder{PacketizationMode: 1}
			d.Init()
			return d.Decode
		}, func() func(*rtp.Packet) ([][]byte, error) { return newH264Depacketizer().decode }, h264FragmentBefore},
		{"H265", true, func() func(*rtp.Packet) ([][]byte, error) {
			d := &rtph265.Decoder{}
			d.Init()
			return d.Decode
		}, func() func(*rtp.Packet) ([][]byte, error) { return newH265Depacketizer().decode }, h265FragmentBefore},
	} {
		frames := gopFrames(b, codec.h265)
		b.Run(codec.name+"/gortsplib+keep", func(b *testing.B) {
			k := &keepBefore{fragment: codec.fragment}
			benchDepacketize(b, frames, func(p []byte) []byte { return k.keep(p) }, codec.gortsplib())
		})
		b.Run(codec.name+"/vigil", func(b *testing.B) {
			benchDepacketize(b, frames, func(p []byte) []byte { return p }, codec.vigil())
		})
	}
}

func benchDepacketize(b *testing.B, frames [][]byte, keep func([]byte) []byte, decode func(*rtp.Packet) ([][]byte, error)) {
	size := 0
	for _, f := range frames {
		size += len(f)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var pkt rtp.Packet
	read := make([]byte, 0, 1<<16)
	units := 0
	for b.Loop() {
		for _, f := range frames {
			read = append(read[:0], f...) // the connection's read buffer
			if err := pkt.Unmarshal(read); err != nil {
				b.Fatal(err)
			}
			pkt.Payload = keep(pkt.Payload)
			if _, err := decode(&pkt); err == nil {
				units++
			} else if kind(err) == 3 {
				b.Fatal(err)
			}
		}
	}
	if units != 25*b.N {
		b.Fatalf("%d units of %d GOPs", units, b.N)
	}
}

// gopFrames is a GOP as marshaled RTP packets, as gortsplib's encoder
// packetizes it.
func gopFrames(b *testing.B, h265 bool) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	encode, params, sei, idr, p := h264Encoder(b), [][]byte{h264SPS, h264PPS}, h264SEI,
		codedSlice(r, 60000, 0x65), codedSlice(r, 8000, 0x41)
	if h265 {
		encode, params, sei, idr, p = h265Encoder(b), [][]byte{testVPS, testSPS, testPPS}, h265SEI,
			codedSlice(r, 60000, 19<<1, 1), codedSlice(r, 8000, 1<<1, 1)
	}
	var frames [][]byte
	for n := range 25 {
		au := [][]byte{sei, p}
		if n == 0 {
			au = append(append(params[:len(params):len(params)], sei), idr)
		}
		pkts, err := encode(au)
		if err != nil {
			b.Fatal(err)
		}
		for _, pkt := range pkts {
			pkt.Timestamp = uint32(n * 3600)
			f, err := pkt.Marshal()
			if err != nil {
				b.Fatal(err)
			}
			frames = append(frames, f)
		}
	}
	return frames
}

// codedSlice is a NAL unit of n bytes whose bytes after its header are
// random, as entropy-coded ones look, with emulation prevention: 03
// after every 00 00 that a byte of 03 or less would follow.
func codedSlice(r *rand.Rand, n int, header ...byte) []byte {
	b := append(make([]byte, 0, n), header...)
	for len(b) < n {
		c := byte(r.Uint32())
		if k := len(b); k >= 2 && b[k-2] == 0 && b[k-1] == 0 && c <= 3 {
			b = append(b, 3)
		}
		b = append(b, c)
	}
	return b[:n]
}

// keepBefore is video_path.go's keep before vigil's depacketizers: it
// copied a payload out of the read buffer for gortsplib's decoder,
// fragments into a reused buffer, other payloads into their own.
type keepBefore struct {
	fragment func([]byte) (fu, start bool)
	frags    []byte
}

func (k *keepBefore) keep(b []byte) []byte {
	fu, start := k.fragment(b)
	if !fu {
		return bytes.Clone(b)
	}
	if start {
		k.frags = k.frags[:0]
	}
	from := len(k.frags)
	k.frags = append(k.frags, b...)
	return k.frags[from:len(k.frags):len(k.frags)]
}

func h264FragmentBefore(p []byte) (fu, start bool) {
	if len(p) < 2 || p[0]&0x1f != 28 {
		return false, false
	}
	return true, p[1]&0x80 != 0
}

func h265FragmentBefore(p []byte) (fu, start bool) {
	if len(p) < 3 || (p[0]>>1)&0x3f != 49 {
		return false, false
	}
	return true, p[2]&0x80 != 0
}
