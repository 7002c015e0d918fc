package webrtc

import (
	"bytes"
	"testing"

	"github.com/pion/rtp/codecs"
)

// Every payload must depacketize (with pion's reader, as browsers would)
// back to the unit's NAL units, whatever their sizes.
func TestH264PacketizerRoundTrip(t *testing.T) {
	const mtu = 1200
	mk := func(typ byte, n int) []byte {
		b := make([]byte, n)
		b[0] = 0x60 | typ
		for i := 1; i < n; i++ {
			b[i] = byte(i*13 + 1)
		}
		return b
	}
	units := [][][]byte{
		{mk(7, 12), mk(8, 5), mk(5, 60_000)},
		{mk(1, mtu)},
		{mk(1, mtu+1)},
		{mk(6, 30), mk(1, 2*(mtu-2)+1)},
		{mk(1, 1)},
	}
	var z h264Packetizer
	for _, nalus := range units {
		var depack codecs.H264Packet
		var got []byte
		for _, p := range z.payloads(nalus, mtu) {
			if len(p) > mtu {
				t.Fatalf("payload of %d bytes over %d", len(p), mtu)
			}
			b, err := depack.Unmarshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, b...)
		}
		var want []byte
		for _, n := range nalus {
			want = append(append(want, 0, 0, 0, 1), n...)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round trip of %d NAL units differs (%d vs %d bytes)", len(nalus), len(got), len(want))
		}
	}
}

func TestH264PacketizerDoesNotAllocate(t *testing.T) {
	au := frame720p(true)
	var z h264Packetizer
	z.payloads(au.NALUs, rtpPayloadSize)
	if n := testing.AllocsPerRun(100, func() { z.payloads(au.NALUs, rtpPayloadSize) }); n != 0 {
		t.Fatalf("%v allocations per unit", n)
	}
}
