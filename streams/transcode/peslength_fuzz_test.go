package transcode

import (
	"bytes"
	"testing"
)

// FuzzSetVideoPESLength: any run of TS packets is left alone or gets only
// the two length bytes of one PES header changed; it never panics.
func FuzzSetVideoPESLength(f *testing.F) {
	pkt := make([]byte, tsPacketSize)
	pkt[0], pkt[1], pkt[3] = 0x47, 0x41, 0x10
	copy(pkt[4:], []byte{0, 0, 1, 0xe0, 0, 0})
	f.Add(pkt)
	f.Add(append(bytes.Clone(pkt), pkt...))
	f.Fuzz(func(t *testing.T, buf []byte) {
		orig := bytes.Clone(buf)
		setVideoPESLength(buf)
		diff := 0
		for i := range buf {
			if buf[i] != orig[i] {
				diff++
			}
		}
		if diff > 2 {
			t.Fatalf("%d bytes changed", diff)
		}
	})
}
