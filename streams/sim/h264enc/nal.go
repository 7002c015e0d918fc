package h264enc

// NAL unit types and reference priorities written by this encoder.
const (
	naluSlice = 1
	naluIDR   = 5
	naluSPS   = 7
	naluPPS   = 8
)

// nalu wraps an RBSP into a NAL unit: header byte, then the payload with
// emulation prevention bytes inserted (H.264 7.4.1), so that no start code
// can appear inside it when it is written in Annex-B form.
func nalu(refIdc, typ byte, rbsp []byte) []byte {
	out := make([]byte, 1, len(rbsp)+len(rbsp)/64+8)
	out[0] = refIdc<<5 | typ
	return appendEscaped(out, rbsp)
}

// appendEscaped appends p to dst inserting 0x03 after every two zero bytes
// that are followed by a byte <= 3.
func appendEscaped(dst, p []byte) []byte {
	zeros := 0
	start := 0
	for i := 0; i < len(p); i++ {
		b := p[i]
		if zeros >= 2 && b <= 3 {
			dst = append(dst, p[start:i]...)
			dst = append(dst, 3)
			start = i
			zeros = 0
		}
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return append(dst, p[start:]...)
}
