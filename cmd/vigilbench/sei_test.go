package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtp/codecs"
)

func TestSEIRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tag := range []frameTag{
		{Camera: 0, Frame: 0, Sent: time.Unix(0, 0)},
		{Camera: 3, Frame: 1, Sent: time.Unix(0, 3)},
		{Camera: 49, Frame: 1 << 40, Sent: time.Now()},
		{Camera: 0xffffffff, Frame: 0xffffffffffffffff, Sent: time.Unix(0, -1)},
	} {
		nalu := buildSEI(tag)
		if nalu[0] != 6 {
			t.Fatalf("NAL header %#x", nalu[0])
		}
		// No start code may appear inside a NAL unit.
		for _, sc := range [][]byte{{0, 0, 0}, {0, 0, 1}, {0, 0, 2}} {
			if bytes.Contains(nalu, sc) {
				t.Fatalf("%+v: emulated start code in % x", tag, nalu)
			}
		}
		if nalu[len(nalu)-1] != 0x80 {
			t.Fatalf("no rbsp trailing bits: % x", nalu)
		}
		got, err := parseSEI(nalu)
		if err != nil || got.Camera != tag.Camera || got.Frame != tag.Frame || !got.Sent.Equal(tag.Sent) {
			t.Fatalf("%+v: parsed %+v, %v", tag, got, err)
		}
	}
}

func TestParseSEISkipsOtherMessages(t *testing.T) {
	t.Parallel()
	tag := frameTag{Camera: 7, Frame: 9, Sent: time.Unix(1700000000, 5)}
	own := buildSEI(tag)
	// A recovery point message (type 6, 1 byte) before ours.
	nalu := append([]byte{6, 6, 1, 0x84}, own[1:]...)
	if got, err := parseSEI(nalu); err != nil || got.Frame != 9 {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {6}, {5, 1, 2}, {6, 5, 40, 1, 2}, {6, 0xff, 0xff}, own[:20]} {
		if _, err := parseSEI(bad); err == nil {
			t.Errorf("% x parsed", bad)
		}
	}
	other := buildSEI(tag)
	other[5] ^= 0xff // another UUID
	if _, err := parseSEI(other); err == nil {
		t.Error("foreign UUID accepted")
	}
}

// TestFrameScan depacketizes what a gateway sends: a keyframe with its
// parameter sets aggregated (STAP-A) and a large IDR in FU-A fragments.
func TestFrameScan(t *testing.T) {
	t.Parallel()
	tag := frameTag{Camera: 2, Frame: 77, Sent: time.Unix(5, 6)}
	idr := append([]byte{0x65}, bytes.Repeat([]byte{0xaa}, 5000)...)
	au := annexB([]byte{0x67, 0x42, 0xc0, 0x1f}, []byte{0x68, 0xce, 0x3c, 0x80}, buildSEI(tag), idr)
	for _, mtu := range []uint16{1200, 30} { // 30: the SEI itself is fragmented
		var p codecs.H264Payloader
		var f frameScan
		for _, pl := range p.Payload(mtu, au) {
			f.scan(pl)
		}
		if !f.idr || !f.sps || !f.pps || !f.tagged || f.tag.Frame != 77 || f.tag.Camera != 2 {
			t.Fatalf("mtu %d: %+v", mtu, f)
		}
	}
}

func annexB(nalus ...[]byte) []byte {
	var b []byte
	for _, n := range nalus {
		b = append(append(b, 0, 0, 0, 1), n...)
	}
	return b
}

func FuzzParseSEI(f *testing.F) {
	f.Add(buildSEI(frameTag{Camera: 1, Frame: 2, Sent: time.Unix(3, 4)}))
	f.Add(buildSEI(frameTag{}))
	f.Add([]byte{6, 6, 1, 0x84, 0x80})
	f.Add([]byte{6, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		tag, err := parseSEI(b)
		if err != nil {
			return
		}
		again, err := parseSEI(buildSEI(tag))
		if err != nil || again.Camera != tag.Camera || again.Frame != tag.Frame || !again.Sent.Equal(tag.Sent) {
			t.Fatalf("%+v does not survive a round trip: %+v %v", tag, again, err)
		}
	})
}

func FuzzFrameScan(f *testing.F) {
	f.Add([]byte{0x18, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce})
	f.Add([]byte{0x7c, 0x86, 1, 2, 3})
	f.Add(buildSEI(frameTag{Frame: 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		var s frameScan
		s.scan(b)
		s.scan(b)
	})
}
