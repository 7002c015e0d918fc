package rtsp

import (
	"testing"
)

// Real parameter sets of a 1080p camera.
var (
	h264SPS = []byte{0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0x84, 0x00, 0x00,
		0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc6, 0x58}
	h264PPS = []byte{0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0}
	h264SEI = []byte{0x06, 0x05, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x80}
)

// stapA aggregates NAL units.
func stapA(nalus ...[]byte) []byte {
	p := []byte{0x18}
	for _, n := range nalus {
		p = append(p, byte(len(n)>>8), byte(len(n)))
		p = append(p, n...)
	}
	return p
}

// fuA is a fragment of a NAL unit whose header is nal.
func fuA(nal byte, start, end bool, data []byte) []byte {
	h := nal & 0x1f
	if start {
		h |= 0x80
	}
	if end {
		h |= 0x40
	}
	return cat([]byte{nal&0xe0 | 28, h}, data)
}

func TestH264Depacketizer(t *testing.T) {
	t.Parallel()
	idr := sized(3000, 0x65)
	for _, tc := range []struct {
		name  string
		steps []pktStep
	}{
		{"single NAL unit packets", []pktStep{
			{payload: h264SEI, err: errMorePackets},
			{payload: sized(100, 0x41), marker: true, want: [][]byte{h264SEI, sized(100, 0x41)}},
		}},
		{"STAP-A with parameter sets, FU-A IDR", []pktStep{
			{payload: stapA(h264SPS, h264PPS), err: errMorePackets},
			{payload: fuA(0x65, true, false, idr[1:1200]), seq: 1, err: errMorePackets},
			{payload: fuA(0x65, false, false, idr[1200:2400]), seq: 2, err: errMorePackets},
			{payload: fuA(0x65, false, true, idr[2400:]), seq: 3, marker: true, want: [][]byte{h264SPS, h264PPS, idr}},
		}},
		{"STAP-A of one NAL unit", []pktStep{
			{payload: stapA(h264SEI), marker: true, want: [][]byte{h264SEI}},
		}},
		{"STAP-A padding", []pktStep{
			{payload: cat(stapA(h264SPS, h264PPS), []byte{0, 0, 0, 0}), marker: true, want: [][]byte{h264SPS, h264PPS}},
		}},
		{"STAP-A padding alone", []pktStep{
			{payload: []byte{0x18, 0, 0}, err: errAny, errText: "doesn't contain any NALU"},
		}},
		{"STAP-A zero size before data", []pktStep{
			{payload: []byte{0x18, 0, 0, 1}, err: errAny, errText: "invalid STAP-A packet"},
		}},
		{"STAP-A size beyond the packet", []pktStep{
			{payload: []byte{0x18, 0, 3, 0x67, 1}, err: errAny, errText: "invalid STAP-A packet"},
		}},
		{"STAP-A cut in a size", []pktStep{
			{payload: cat(stapA(h264SPS), []byte{0}), err: errAny, errText: "invalid STAP-A packet"},
		}},
		{"marker-less camera: units end at a new timestamp", []pktStep{
			{payload: h264SEI, ts: 0, err: errMorePackets},
			{payload: sized(50, 0x41), ts: 0, seq: 1, err: errMorePackets},
			{payload: h264SEI, ts: 3600, seq: 2, want: [][]byte{h264SEI, sized(50, 0x41)}},
			{payload: sized(60, 0x41), ts: 3600, seq: 3, err: errMorePackets},
			{payload: sized(70, 0x41), ts: 7200, seq: 4, want: [][]byte{h264SEI, sized(60, 0x41)}},
		}},
		{"CostarHD: one FU with start and end", []pktStep{
			{payload: fuA(0x41, true, true, []byte{1, 2, 3}), marker: true, want: [][]byte{{0x41, 1, 2, 3}}},
		}},
		{"FU-A without start, before any other packet", []pktStep{
			{payload: fuA(0x65, false, false, []byte{1}), seq: 5, err: errNoStart},
			{payload: fuA(0x65, false, true, []byte{2}), seq: 6, err: errNoStart},
			{payload: h264SEI, seq: 7, marker: true, want: [][]byte{h264SEI}},
			{payload: fuA(0x65, false, true, []byte{2}), seq: 8, err: errAny, errText: "non-starting"},
		}},
		{"FU-A lost middle: the NAL unit is dropped", []pktStep{
			{payload: fuA(0x65, true, false, []byte{1}), seq: 1, err: errMorePackets},
			{payload: fuA(0x65, false, false, []byte{3}), seq: 3, err: errAny, errText: "RTP packet is missing"},
			{payload: fuA(0x65, false, true, []byte{4}), seq: 4, err: errAny, errText: "non-starting"},
			{payload: fuA(0x65, true, true, []byte{5}), seq: 5, marker: true, want: [][]byte{{0x65, 5}}},
		}},
		{"FU-A restarted: the first NAL unit is dropped", []pktStep{
			{payload: fuA(0x65, true, false, []byte{1}), seq: 1, err: errMorePackets},
			{payload: fuA(0x41, true, false, []byte{2}), seq: 2, err: errMorePackets},
			{payload: fuA(0x41, false, true, []byte{3}), seq: 3, marker: true, want: [][]byte{{0x41, 2, 3}}},
		}},
		{"FU-A too short keeps the NAL unit going", []pktStep{
			{payload: fuA(0x65, true, false, []byte{1}), seq: 1, err: errMorePackets},
			{payload: []byte{0x7c}, seq: 2, err: errAny, errText: "invalid FU-A packet (invalid size)"},
			{payload: fuA(0x65, false, true, []byte{2}), seq: 2, marker: true, want: [][]byte{{0x65, 1, 2}}},
		}},
		{"a single NAL unit drops the FU-A being joined", []pktStep{
			{payload: fuA(0x65, true, false, []byte{1}), seq: 1, err: errMorePackets},
			{payload: h264SEI, seq: 2, err: errMorePackets},
			{payload: fuA(0x65, false, true, []byte{2}), seq: 3, err: errAny, errText: "non-starting"},
		}},
		{"empty payload", []pktStep{
			{payload: []byte{}, err: errAny, errText: "payload is too short"},
		}},
		{"STAP-B, MTAP16, MTAP24, FU-B refused", []pktStep{
			{payload: []byte{0x19, 0, 0, 0, 1, 0x41}, err: errAny, errText: "packet type not supported (STAP-B)"},
			{payload: []byte{0x1a, 0, 0, 0, 1, 0x41}, err: errAny, errText: "packet type not supported (MTAP-16)"},
			{payload: []byte{0x1b, 0, 0, 0, 1, 0x41}, err: errAny, errText: "packet type not supported (MTAP-24)"},
			{payload: []byte{0x1d, 0x85, 0, 0, 1}, err: errAny, errText: "packet type not supported (FU-B)"},
			// They count as a start: a lone fragment is now an error.
			{payload: fuA(0x65, false, true, []byte{1}), err: errAny, errText: "non-starting"},
		}},
		{"too many NAL units", append(repeatStep(pktStep{payload: h264SEI, err: errMorePackets}, 25),
			pktStep{payload: h264SEI, err: errAny, errText: "NALU count (26) exceeds maximum allowed (25)"},
			pktStep{payload: h264SEI, marker: true, want: [][]byte{h264SEI}})},
	} {
		t.Run(tc.name, func(t *testing.T) { runSteps(t, newH264Depacketizer().decode, tc.steps) })
	}
}

func repeatStep(s pktStep, n int) []pktStep {
	out := make([]pktStep, n)
	for i := range out {
		out[i] = s
		out[i].seq = uint16(i)
	}
	return out
}

func TestH264DepacketizerLimitsTheNALUnitSize(t *testing.T) {
	t.Parallel()
	d := newH264Depacketizer()
	chunk := sized(60000)
	steps := []pktStep{{payload: fuA(0x65, true, false, chunk), err: errMorePackets}}
	for i := 1; (i+1)*len(chunk) <= 8<<20; i++ {
		steps = append(steps, pktStep{payload: fuA(0x65, false, false, chunk), seq: uint16(i), err: errMorePackets})
	}
	steps = append(steps,
		pktStep{payload: fuA(0x65, false, true, chunk), seq: uint16(len(steps)), err: errAny, errText: "NALU size"},
		pktStep{payload: h264SEI, marker: true, want: [][]byte{h264SEI}})
	runSteps(t, d.decode, steps)
}
