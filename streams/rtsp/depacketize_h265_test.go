package rtsp

import (
	"testing"
)

var h265SEI = []byte{0x4e, 0x01, 0x05, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x80} // a prefix SEI

// ap aggregates H.265 NAL units (RFC 7798 4.4.2).
func ap(nalus ...[]byte) []byte {
	p := []byte{48 << 1, 0x01}
	for _, n := range nalus {
		p = append(p, byte(len(n)>>8), byte(len(n)))
		p = append(p, n...)
	}
	return p
}

// fu265 is a fragment of an H.265 NAL unit whose header is nal.
func fu265(nal [2]byte, start, end bool, data []byte) []byte {
	h := nal[0] >> 1 & 0x3f
	if start {
		h |= 0x80
	}
	if end {
		h |= 0x40
	}
	return cat([]byte{nal[0]&0x81 | 49<<1, nal[1], h}, data)
}

func TestH265Depacketizer(t *testing.T) {
	t.Parallel()
	idrHeader := [2]byte{19 << 1, 0x01} // IDR_W_RADL
	idr := sized(3000, idrHeader[:]...)
	trail := sized(200, 1<<1, 0x01) // TRAIL_R
	for _, tc := range []struct {
		name  string
		steps []pktStep
	}{
		{"AP with parameter sets, FU IDR", []pktStep{
			{payload: ap(testVPS, testSPS, testPPS), err: errMorePackets},
			{payload: fu265(idrHeader, true, false, idr[2:1200]), seq: 1, err: errMorePackets},
			{payload: fu265(idrHeader, false, false, idr[1200:2400]), seq: 2, err: errMorePackets},
			{payload: fu265(idrHeader, false, true, idr[2400:]), seq: 3, marker: true,
				want: [][]byte{testVPS, testSPS, testPPS, idr}},
		}},
		{"single NAL unit packets", []pktStep{
			{payload: h265SEI, err: errMorePackets},
			{payload: trail, seq: 1, marker: true, want: [][]byte{h265SEI, trail}},
		}},
		{"a new timestamp does not end a unit", []pktStep{
			{payload: trail, ts: 0, err: errMorePackets},
			{payload: trail, ts: 3600, seq: 1, marker: true, want: [][]byte{trail, trail}},
		}},
		{"FU layer and temporal ids kept", []pktStep{
			{payload: fu265([2]byte{1<<1 | 1, 0x0b}, true, false, []byte{1}), err: errMorePackets},
			{payload: fu265([2]byte{1<<1 | 1, 0x0b}, false, true, []byte{2}), seq: 1, marker: true,
				want: [][]byte{{1<<1 | 1, 0x0b, 1, 2}}},
		}},
		{"FU with start and end refused", []pktStep{
			{payload: fu265(idrHeader, true, true, []byte{1}), err: errAny, errText: "both a start and end bit"},
			// It does not count as a start.
			{payload: fu265(idrHeader, false, true, []byte{1}), seq: 1, err: errNoStart},
		}},
		{"FU without start: single NAL units do not count as a start", []pktStep{
			{payload: fu265(idrHeader, false, false, []byte{1}), err: errNoStart},
			{payload: trail, seq: 1, marker: true, want: [][]byte{trail}},
			{payload: fu265(idrHeader, false, true, []byte{1}), seq: 2, err: errNoStart},
			{payload: ap(h265SEI, h265SEI), seq: 3, marker: true, want: [][]byte{h265SEI, h265SEI}},
			{payload: fu265(idrHeader, false, true, []byte{1}), seq: 4, err: errAny, errText: "non-starting"},
		}},
		{"FU lost middle: the NAL unit is dropped", []pktStep{
			{payload: fu265(idrHeader, true, false, []byte{1}), seq: 1, err: errMorePackets},
			{payload: fu265(idrHeader, false, false, []byte{2}), seq: 3, err: errAny, errText: "RTP packet is missing"},
			{payload: fu265(idrHeader, false, true, []byte{3}), seq: 4, err: errAny, errText: "non-starting"},
		}},
		{"FU too short drops the NAL unit", []pktStep{
			{payload: fu265(idrHeader, true, false, []byte{1}), seq: 1, err: errMorePackets},
			{payload: []byte{49 << 1, 1}, seq: 2, err: errAny, errText: "payload is too short"},
			{payload: fu265(idrHeader, false, true, []byte{3}), seq: 2, err: errAny, errText: "non-starting"},
		}},
		{"payload too short", []pktStep{
			{payload: []byte{0x02}, err: errAny, errText: "payload is too short"},
		}},
		{"AP sizes", []pktStep{
			{payload: []byte{48 << 1, 1}, err: errAny, errText: "invalid aggregation unit"},
			{payload: []byte{48 << 1, 1, 0, 0, 0x02}, err: errAny, errText: "invalid aggregation unit"},
			{payload: []byte{48 << 1, 1, 0, 3, 0x02, 1}, err: errAny, errText: "invalid aggregation unit"},
			{payload: cat(ap(h265SEI), []byte{0}), err: errAny, errText: "invalid aggregation unit"},
			{payload: ap(h265SEI), marker: true, want: [][]byte{h265SEI}},
		}},
		{"PACI refused", []pktStep{
			{payload: []byte{50 << 1, 1, 0, 0}, err: errAny, errText: "PACI"},
		}},
		{"too many NAL units", append(repeatStep(pktStep{payload: trail, err: errMorePackets}, 21),
			pktStep{payload: trail, err: errAny, errText: "NALU count (22) exceeds maximum allowed (21)"},
			pktStep{payload: trail, marker: true, want: [][]byte{trail}})},
	} {
		t.Run(tc.name, func(t *testing.T) { runSteps(t, newH265Depacketizer().decode, tc.steps) })
	}
}
