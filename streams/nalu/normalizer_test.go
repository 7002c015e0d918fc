package nalu_test

import (
	"bytes"
	"slices"
	"sync"
	"testing"
	"time"

	"vigil/streams/avc"
	"vigil/streams/hevc"
	"vigil/streams/internal/ffmpegtest"
	"vigil/streams/media"
	"vigil/streams/nalu"
)

// normalizer is nalu.Normalizer whatever its codec.
type normalizer interface {
	SetParams(vps, sps, pps []byte)
	Normalize(nalus [][]byte, pts90k int64, now time.Time) *media.AccessUnit
	Reconnected()
	Track() (media.Track, bool)
	Counters() nalu.Counters
}

// codecCase is one codec the shared rules are shown on: real units from
// ffmpeg, and the NAL units that never come out of an encoder.
type codecCase struct {
	name    string
	raw     func(t testing.TB, width, height, bframes int) []ffmpegtest.RawUnit
	newNorm func(maxNALUSize int) normalizer
	typ     func(u []byte) int // the type in the NAL unit header
	isKey   func(typ int) bool // a slice type that decodes on its own
	sets    []int              // the parameter set types, in decoding order
	// useless are an access unit delimiter and filler data; packaging an
	// RTP fragmentation unit left over.
	useless   [][]byte
	packaging []byte
}

var codecs = []codecCase{{
	name: "H.264",
	raw: func(t testing.TB, w, h, bframes int) []ffmpegtest.RawUnit {
		return ffmpegtest.RawH264(t, w, h, 2, bframes)
	},
	isKey:     func(typ int) bool { return typ == 5 },
	newNorm:   func(max int) normalizer { return &nalu.Normalizer[avc.Codec]{MaxNALUSize: max} },
	typ:       func(u []byte) int { return int(u[0] & 0x1f) },
	sets:      []int{7, 8},
	useless:   [][]byte{{0x09, 0xf0}, {0x0c, 0xff, 0xff, 0x80}},
	packaging: []byte{0x1c, 0x85, 0x00},
}, {
	name: "H.265",
	raw: func(t testing.TB, w, h, bframes int) []ffmpegtest.RawUnit {
		return ffmpegtest.RawH265(t, w, h, 2, bframes)
	},
	isKey:     func(typ int) bool { return typ >= 16 && typ <= 23 },
	newNorm:   func(max int) normalizer { return &nalu.Normalizer[hevc.Codec]{MaxNALUSize: max} },
	typ:       func(u []byte) int { return int(u[0]>>1) & 0x3f },
	sets:      []int{32, 33, 34},
	useless:   [][]byte{{35 << 1, 1, 0x50}, {38 << 1, 1, 0xff, 0x80}},
	packaging: []byte{49 << 1, 1, 0x80},
}}

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

var encoded = struct {
	sync.Mutex
	units map[string][]ffmpegtest.RawUnit
}{units: map[string][]ffmpegtest.RawUnit{}}

// units encodes c's stream once per run (ffmpeg is slow on a busy machine).
func (c codecCase) units(t *testing.T, bframes int) []ffmpegtest.RawUnit {
	t.Helper()
	encoded.Lock()
	defer encoded.Unlock()
	k := c.name + string(rune('0'+bframes))
	if encoded.units[k] == nil {
		encoded.units[k] = c.raw(t, 320, 180, bframes)
	}
	return encoded.units[k]
}

// split returns u's parameter sets and the rest, AUDs the muxer put in
// left out of both.
func (c codecCase) split(u [][]byte) (sets, rest [][]byte) {
	for _, n := range u {
		switch {
		case slices.Contains(c.sets, c.typ(n)):
			sets = append(sets, n)
		case !c.isUseless(n):
			rest = append(rest, n)
		}
	}
	return sets, rest
}

func (c codecCase) isUseless(n []byte) bool {
	return slices.ContainsFunc(c.useless, func(u []byte) bool { return c.typ(u) == c.typ(n) })
}

// Keyframes start with the parameter sets in force, in decoding order,
// whether the camera sent them in-band or not; delimiters and filler are
// dropped; everything else keeps its order.
func TestKeyframesStartWithTheParameterSets(t *testing.T) {
	t.Parallel()
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			units := c.units(t, 0)
			n := c.newNorm(0)
			firstSets, _ := c.split(units[0].NALUs)
			if len(firstSets) != len(c.sets) {
				t.Fatalf("the first keyframe has %d parameter sets in-band, want %d", len(firstSets), len(c.sets))
			}
			keys := 0
			for i, u := range units {
				sets, rest := c.split(u.NALUs)
				in := append(append([][]byte{c.useless[0]}, rest...), c.useless[1])
				if i == 0 {
					in = u.NALUs // as sent: the sets learned in-band
				}
				au := n.Normalize(in, u.PTS, t0.Add(time.Duration(i)*40*time.Millisecond))
				if au == nil {
					t.Fatalf("unit %d dropped", i)
				}
				want := rest
				if au.Key != (len(sets) > 0) {
					t.Fatalf("unit %d: Key %v, the camera sent %d sets", i, au.Key, len(sets))
				}
				if au.Key {
					keys++
					want = append(slices.Clone(firstSets), rest...)
				}
				if !equalNALUs(au.NALUs, want) {
					t.Fatalf("unit %d: %d NAL units, want %d (sets first if key)", i, len(au.NALUs), len(want))
				}
				if i == 0 {
					tr, changed := n.Track()
					if !changed || tr.Width != 320 || tr.Height != 180 || tr.Reordered {
						t.Fatalf("track %dx%d changed %v reordered %v, want 320x180 changed in order", tr.Width, tr.Height, changed, tr.Reordered)
					}
				}
			}
			if keys != 2 {
				t.Fatalf("%d keyframes in 2 s with a 1 s GOP, want 2", keys)
			}
			if _, changed := n.Track(); changed {
				t.Fatal("track reported changed without a change")
			}
		})
	}
}

// A keyframe is dropped and counted while any of its parameter sets is
// unknown, and passes once they are (from the SDP here).
func TestKeyframeWithoutParameterSetsDropped(t *testing.T) {
	t.Parallel()
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u := c.units(t, 0)[0]
			sets, rest := c.split(u.NALUs)
			n := c.newNorm(0)
			if au := n.Normalize(rest, u.PTS, t0); au != nil || n.Counters().NoParamSets != 1 {
				t.Fatalf("keyframe without parameter sets: %v, NoParamSets %d", au, n.Counters().NoParamSets)
			}
			vps, sps, pps := setsFor(sets)
			n.SetParams(nil, sps, pps) // all but H.265's VPS; H.264 has none
			if au := n.Normalize(rest, u.PTS+3600, t0); (au != nil) != (vps == nil) {
				t.Fatalf("keyframe with SPS and PPS known: %v", au)
			}
			n.SetParams(vps, sps, pps)
			au := n.Normalize(rest, u.PTS+7200, t0)
			if au == nil || !au.Key || !equalNALUs(au.NALUs, append(slices.Clone(sets), rest...)) {
				t.Fatalf("keyframe with its sets from SetParams: %v", au)
			}
		})
	}
}

// setsFor returns sets as SetParams takes them.
func setsFor(sets [][]byte) (vps, sps, pps []byte) {
	if len(sets) == 3 {
		vps, sets = sets[0], sets[1:]
	}
	return vps, sets[0], sets[1]
}

// Empty, forbidden-bit, oversized and RTP packaging units are dropped and
// counted; the rest of their unit goes on. A unit left without a slice is
// dropped.
func TestBrokenAndOversizeNALUsDropped(t *testing.T) {
	t.Parallel()
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			units := c.units(t, 0)
			n := c.newNorm(1 << 16)
			n.Normalize(units[0].NALUs, units[0].PTS, t0)
			_, rest := c.split(units[1].NALUs)
			forbidden := append([]byte{rest[0][0] | 0x80}, rest[0][1:]...)
			oversize := append(slices.Clone(rest[0]), make([]byte, 1<<16)...)
			in := append([][]byte{{}, forbidden, c.packaging, oversize}, units[1].NALUs...)
			au := n.Normalize(in, units[1].PTS, t0.Add(40*time.Millisecond))
			if au == nil || !equalNALUs(au.NALUs, rest) {
				t.Fatalf("got %v, want the unit's own %d NAL units", au, len(rest))
			}
			if cn := n.Counters(); cn.Broken != 3 || cn.Oversize != 1 {
				t.Fatalf("counters %+v, want 3 broken and 1 oversize", cn)
			}
			if au := n.Normalize([][]byte{c.useless[0], c.packaging}, units[2].PTS, t0); au != nil {
				t.Fatal("a unit without a slice was passed on")
			}
		})
	}
}

// Presentation times stay monotonic across a reconnect (continuing after
// the wall-clock gap), a camera clock jump (smoothed and counted) and a
// duplicated timestamp.
func TestTimestampsMonotonicAcrossReconnectAndJumps(t *testing.T) {
	t.Parallel()
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, slice := c.split(c.units(t, 0)[1].NALUs)
			n := c.newNorm(0)
			var last time.Duration = -1
			check := func(pts int64, now time.Time) time.Duration {
				t.Helper()
				au := n.Normalize(slice, pts, now)
				if au == nil || au.PTS <= last {
					t.Fatalf("unit %v after PTS %v: not monotonic", au, last)
				}
				last = au.PTS
				return au.PTS
			}
			// A steady 25 fps stream keeps its spacing.
			check(1_000_000, t0)
			if got := check(1_003_600, t0.Add(40*time.Millisecond)); got != 40*time.Millisecond {
				t.Fatalf("second frame at %v, want 40ms", got)
			}
			// Reconnect 10 s later with a camera clock that restarted near zero.
			n.Reconnected()
			got := check(500, t0.Add(10*time.Second+40*time.Millisecond))
			if got < 10*time.Second || got > 10*time.Second+100*time.Millisecond {
				t.Fatalf("after reconnect PTS = %v, want ~10.04s (wall-clock gap)", got)
			}
			// The camera's clock resets mid-session: smoothed, counted.
			check(90000*3600, t0.Add(10*time.Second+80*time.Millisecond))
			if n.Counters().Rebases != 1 {
				t.Fatalf("rebases = %d, want 1", n.Counters().Rebases)
			}
			// A duplicated timestamp still moves forward.
			base := last
			n.Normalize(slice, 90000*3600, t0.Add(11*time.Second))
			if last = check(90000*3600, t0.Add(11*time.Second)); last <= base {
				t.Fatal("duplicate timestamp not advanced")
			}
		})
	}
}

// B-frames get decoding times behind their presentation times, strictly
// increasing, and mark the track Reordered; a camera reconfigured without
// them (a new SPS) is in order again.
func TestBFramesGetDecodingTimes(t *testing.T) {
	t.Parallel()
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			n := c.newNorm(0)
			var last time.Duration = -1
			var lastPTS int64
			for i, u := range c.units(t, 2) {
				au := n.Normalize(u.NALUs, u.PTS, t0.Add(time.Duration(i)*40*time.Millisecond))
				if au == nil {
					t.Fatalf("unit %d dropped", i)
				}
				if au.DTS <= last || au.PTS < au.DTS {
					t.Fatalf("unit %d: DTS %v after %v, PTS %v", i, au.DTS, last, au.PTS)
				}
				last, lastPTS = au.DTS, max(lastPTS, u.PTS)
			}
			if tr, changed := n.Track(); !tr.Reordered || !changed {
				t.Fatalf("B-frame stream: Reordered %v changed %v", tr.Reordered, changed)
			}
			if cn := n.Counters(); cn.BadDTS != 0 {
				t.Fatalf("BadDTS = %d", cn.BadDTS)
			}
			inOrder := c.units(t, 0)
			for i, u := range inOrder {
				n.Normalize(u.NALUs, lastPTS+3600+u.PTS-inOrder[0].PTS, t0.Add(time.Duration(100+i)*40*time.Millisecond))
			}
			if tr, changed := n.Track(); tr.Reordered || !changed {
				t.Fatalf("after a new SPS without B-frames: Reordered %v changed %v", tr.Reordered, changed)
			}
		})
	}
}

func equalNALUs(a, b [][]byte) bool {
	return slices.EqualFunc(a, b, bytes.Equal)
}
