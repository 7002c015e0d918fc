package webrtc

// h264Packetizer cuts an H.264 access unit into RTP payloads (RFC 6184,
// packetization mode 1): a NAL unit that fits goes as it is, a larger one
// as FU-A fragments. It works from the unit's NAL units straight into one
// buffer, so no unit needs an Annex-B copy. Payloads are valid until the
// next call; h264Payloads cuts each unit into a buffer of its own, shared
// by every viewer of the camera and kept by their NACK histories.
type h264Packetizer struct {
	buf []byte
	out [][]byte
}

const (
	fuaType     = 28
	fuaStart    = 0x80
	fuaEnd      = 0x40
	fuaOverhead = 2 // FU indicator and FU header
)

func (z *h264Packetizer) payloads(nalus [][]byte, mtu int) [][]byte {
	need, packets := 0, 0
	for _, n := range nalus {
		need += len(n) + fuaOverhead*(len(n)/(mtu-fuaOverhead)+1)
		packets += len(n)/(mtu-fuaOverhead) + 1
	}
	if cap(z.buf) < need {
		z.buf = make([]byte, 0, need)
	}
	if cap(z.out) < packets {
		z.out = make([][]byte, 0, packets)
	}
	z.buf, z.out = z.buf[:0], z.out[:0]
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		if len(n) <= mtu {
			z.add(n)
			continue
		}
		indicator, typ := n[0]&0xe0|fuaType, n[0]&0x1f
		data := n[1:] // the NAL header travels in the FU indicator and header
		for first := true; len(data) > 0; first = false {
			size := min(len(data), mtu-fuaOverhead)
			header := typ
			if first {
				header |= fuaStart
			}
			if size == len(data) {
				header |= fuaEnd
			}
			start := len(z.buf)
			z.buf = append(z.buf, indicator, header)
			z.buf = append(z.buf, data[:size]...)
			z.out = append(z.out, z.buf[start:len(z.buf):len(z.buf)])
			data = data[size:]
		}
	}
	return z.out
}

func (z *h264Packetizer) add(p []byte) {
	start := len(z.buf)
	z.buf = append(z.buf, p...)
	z.out = append(z.out, z.buf[start:len(z.buf):len(z.buf)])
}

// h264Payloads cuts a unit's NAL units into RTP payloads of a buffer of
// their own (two allocations), for media.AccessUnit.Derived.
func h264Payloads(nalus [][]byte) [][]byte {
	var z h264Packetizer
	return z.payloads(nalus, rtpPayloadSize)
}
