package rtsp

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The seed corpus of FuzzH264Depacketizer and FuzzH265Depacketizer:
// camera streams written as packetsOf's records. Run with
// VIGIL_WRITE_CORPUS=1 to write them to testdata/fuzz; the test checks
// that the files there match them. They are small (NAL units of a few
// hundred bytes, fragments of 300): the fuzzer minimizes every input
// that finds something new in time growing with the square of its
// length, and does nothing else meanwhile. Streams at the size limits
// (8 MB) are too slow to fuzz: TestDepacketizersMatchGortsplibAtTheLimits
// compares them.

// Timestamp and sequence steps of a record's flags.
const (
	nextFrame = 1 << recTSShift  // the next frame's timestamp
	jumpTS    = 2 << recTSShift  // a jump of 2^31
	lost      = 1 << recSeqShift // one packet lost before this one
)

// fragmentsOf writes a NAL unit as fragments of at most size bytes of
// data, the last one with flags.
func fragmentsOf(nalu []byte, size int, last byte, fragment func(start, end bool, data []byte) []byte) []byte {
	var out []byte
	for data, start := nalu, true; len(data) > 0; start = false {
		n := min(size, len(data))
		flags := byte(0)
		if n == len(data) {
			flags = last
		}
		out = append(out, record(flags, fragment(start, n == len(data), data[:n]))...)
		data = data[n:]
	}
	return out
}

func h264Fragments(nalu []byte, last byte) []byte {
	return fragmentsOf(nalu[1:], 300, last, func(s, e bool, d []byte) []byte { return fuA(nalu[0], s, e, d) })
}

func h265Fragments(nalu []byte, last byte) []byte {
	return fragmentsOf(nalu[2:], 300, last, func(s, e bool, d []byte) []byte {
		return fu265([2]byte{nalu[0], nalu[1]}, s, e, d)
	})
}

func h264Seeds() map[string][]byte {
	idr, p := sized(700, 0x65), sized(200, 0x41)
	inner := cat(sized(300, 0x41), annexBStartCode, sized(20, 0x41))
	tooMany := []byte{}
	for range 26 {
		tooMany = append(tooMany, record(0, h264SEI)...)
	}
	return map[string][]byte{
		"stap-a-sps-pps-sei-fu-a-idr-then-p": cat(record(0, stapA(h264SPS, h264PPS)), record(0, h264SEI),
			h264Fragments(idr, recMarker), record(nextFrame, h264SEI), record(recMarker, p)),
		"fu-a-lost-middle": cat(record(0, fuA(0x65, true, false, idr[1:300])),
			record(lost, fuA(0x65, false, false, idr[300:600])), record(recMarker, fuA(0x65, false, true, idr[600:])),
			record(nextFrame|recMarker, p)),
		"fu-a-without-start": cat(record(0, fuA(0x65, false, false, idr[300:600])),
			record(recMarker, fuA(0x65, false, true, idr[600:])), record(nextFrame|recMarker, p),
			record(nextFrame|recMarker, fuA(0x41, false, true, p[1:]))),
		"stap-a-padding": cat(record(0, cat(stapA(h264SPS, h264PPS), make([]byte, 6))),
			record(recMarker, []byte{0x18, 0, 0}), record(recMarker, stapA(h264SEI))),
		"marker-less-camera": cat(record(0, h264SEI), h264Fragments(idr, 0), record(nextFrame, h264SEI),
			record(0, p), record(nextFrame, h264SEI), record(0, p), record(nextFrame, h264SEI)),
		"costarhd-fu-a-start-and-end": cat(record(recMarker, fuA(0x41, true, true, p[1:])),
			record(nextFrame|recMarker, fuA(0x41, true, true, p[1:100]))),
		"annex-b-wrapped-camera": cat(record(0, cat(annexBStartCode, h264SPS, annexBStartCode, h264PPS)),
			record(recMarker, cat(annexBStartCode, idr)), record(nextFrame|recMarker, cat([]byte{0, 0, 1}, p))),
		"annex-b-sps-and-pps-in-one-nal-unit": cat(record(0, cat(h264SPS, annexBStartCode, h264PPS)),
			h264Fragments(idr, recMarker), record(nextFrame|recMarker, p)),
		"annex-b-start-code-inside-a-large-slice": cat(record(recMarker, inner),
			record(nextFrame|recMarker, cat(annexBStartCode, h264SPS, annexBStartCode, h264PPS)),
			record(nextFrame|recMarker, inner)),
		"unsupported-packet-types": cat(record(0, []byte{0x19, 0, 0, 0, 1, 0x41}), record(0, []byte{0x1a, 0, 0, 0, 1, 0x41}),
			record(0, []byte{0x1b, 0, 0, 0, 1, 0x41}), record(0, []byte{0x1d, 0x85, 0, 0, 1}),
			record(recMarker, fuA(0x65, false, true, []byte{1}))),
		"too-many-nal-units": tooMany,
		"timestamp-jump": cat(record(recMarker, p), record(jumpTS, h264SEI), record(recMarker, p),
			record(jumpTS|recMarker, p)),
	}
}

func h265Seeds() map[string][]byte {
	idrHeader, trailHeader := [2]byte{19 << 1, 1}, [2]byte{1 << 1, 1}
	idr, trail := sized(700, idrHeader[:]...), sized(200, trailHeader[:]...)
	markerless := []byte{}
	for range 22 {
		markerless = append(markerless, record(nextFrame, trail[:20])...)
	}
	return map[string][]byte{
		"ap-vps-sps-pps-fu-idr-then-trail": cat(record(0, ap(testVPS, testSPS, testPPS, h265SEI)),
			h265Fragments(idr, recMarker), record(nextFrame, h265SEI), record(recMarker, trail)),
		"fu-lost-middle": cat(record(0, fu265(idrHeader, true, false, idr[2:300])),
			record(lost, fu265(idrHeader, false, false, idr[300:600])),
			record(recMarker, fu265(idrHeader, false, true, idr[600:])), record(nextFrame|recMarker, trail)),
		"fu-without-start-after-single-nal-units": cat(record(recMarker, trail),
			record(nextFrame|recMarker, fu265(trailHeader, false, true, trail[2:]))),
		"fu-start-and-end": record(recMarker, fu265(trailHeader, true, true, trail[2:])),
		"paci-and-bad-aggregation": cat(record(0, []byte{50 << 1, 1, 0, 0}), record(0, []byte{48 << 1, 1, 0, 0, 2}),
			record(recMarker, []byte{48 << 1, 1, 0, 9, 2})),
		"marker-less-camera": markerless,
	}
}

// limitStreams reach the size limits: a NAL unit, then an access unit,
// of more than 8 MB, made of packets of recGrow.
func limitStreams(h265 bool) map[string][]byte {
	grown := func(n int, payload []byte) []byte {
		var out []byte
		for range n {
			out = append(out, record(recGrow, payload)...)
		}
		return out
	}
	if h265 {
		h := [2]byte{19 << 1, 1}
		return map[string][]byte{
			"nal-unit-too-big": cat(record(0, fu265(h, true, false, []byte{1, 2})), grown(9, fu265(h, false, false, []byte{3})),
				record(recMarker, fu265(h, false, true, []byte{4})), record(nextFrame|recMarker, h265SEI)),
		}
	}
	return map[string][]byte{
		"nal-unit-too-big": cat(record(0, fuA(0x65, true, false, []byte{1, 2})), grown(9, fuA(0x65, false, false, []byte{3})),
			record(recMarker, fuA(0x65, false, true, []byte{4})), record(nextFrame|recMarker, h264SEI)),
		"access-unit-too-big": cat(record(recGrow, h264SEI), record(recGrow, fuA(0x65, true, false, []byte{1})),
			grown(6, fuA(0x65, false, false, []byte{2})), record(recMarker, fuA(0x65, false, true, sized(3000))),
			record(nextFrame|recMarker, h264SEI)),
	}
}

func TestDepacketizersMatchGortsplibAtTheLimits(t *testing.T) {
	t.Parallel()
	for codec, h265 := range map[string]bool{"H264": false, "H265": true} {
		for name, data := range limitStreams(h265) {
			t.Run(codec+"/"+name, func(t *testing.T) { compareWithGortsplib(t, h265, packetsOf(data)) })
		}
	}
}

func TestDepacketizerSeedCorpus(t *testing.T) {
	for target, seeds := range map[string]map[string][]byte{
		"FuzzH264Depacketizer": h264Seeds(), "FuzzH265Depacketizer": h265Seeds(),
	} {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, data := range seeds {
			want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			path := filepath.Join(dir, name)
			if os.Getenv("VIGIL_WRITE_CORPUS") == "1" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != want {
				t.Errorf("%s is not the seed (VIGIL_WRITE_CORPUS=1 writes it): %v", path, err)
			}
		}
	}
}
