package avc

import (
	"bytes"
	"testing"
	"time"
)

// A 1920x1080 baseline SPS, as real cameras send it.
var (
	testSPS = []byte{
		0x67, 0x42, 0xc0, 0x28, 0xd9, 0x00, 0x78, 0x02,
		0x27, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04,
		0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc9, 0x20,
	}
	testPPS = []byte{0x68, 0xce, 0x3c, 0x80}
	idr     = []byte{0x65, 0x88, 0x84, 0x00}
	pslice  = []byte{0x41, 0x9a, 0x02}
	sei     = []byte{0x06, 0x05, 0x01, 0xaa, 0x80}
	aud     = []byte{0x09, 0xf0}
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func TestParameterSetsBeforeEveryIDR(t *testing.T) {
	var n Normalizer
	// Before any SPS/PPS an IDR cannot be decoded: dropped and counted.
	if au := n.Normalize([][]byte{idr}, 0, t0); au != nil {
		t.Fatal("IDR without parameter sets was passed on")
	}
	if n.Counters().NoParamSets != 1 {
		t.Fatalf("NoParamSets = %d, want 1", n.Counters().NoParamSets)
	}
	// In-band parameter sets are learned, AUD dropped, SEI kept in order.
	au := n.Normalize([][]byte{aud, testSPS, testPPS, sei, idr}, 3600, t0)
	if au == nil || !au.Key {
		t.Fatal("keyframe lost")
	}
	want := [][]byte{testSPS, testPPS, sei, idr}
	if !equalNALUs(au.NALUs, want) {
		t.Fatalf("NALUs = %x, want %x", au.NALUs, want)
	}
	track, changed := n.Track()
	if !changed || track.Width != 1920 || track.Height != 1080 {
		t.Fatalf("track = %+v changed %v, want 1920x1080 changed", track, changed)
	}
	// A later IDR without in-band sets gets them back.
	au = n.Normalize([][]byte{idr}, 7200, t0)
	if !equalNALUs(au.NALUs, [][]byte{testSPS, testPPS, idr}) {
		t.Fatalf("IDR without in-band sets: NALUs = %x", au.NALUs)
	}
	if _, changed := n.Track(); changed {
		t.Fatal("track reported changed without a change")
	}
}

func TestBrokenAndOversizeNALUsDropped(t *testing.T) {
	n := Normalizer{MaxNALUSize: 64}
	n.SetParams(testSPS, testPPS)
	au := n.Normalize([][]byte{
		{},               // empty
		{0x85, 0x00},     // forbidden bit
		{0x1c, 0x00},     // FU-A left over
		{0x00},           // type 0
		make([]byte, 65), // too big (type 0 too, but size is checked first)
		append([]byte{0x41}, make([]byte, 100)...),
		pslice,
	}, 0, t0)
	if au == nil || len(au.NALUs) != 1 || !bytes.Equal(au.NALUs[0], pslice) {
		t.Fatalf("got %v, want only the valid P slice", au)
	}
	c := n.Counters()
	if c.Broken != 4 || c.Oversize != 2 {
		t.Fatalf("counters = %+v, want 4 broken and 2 oversize", c)
	}
	if au := n.Normalize([][]byte{sei}, 0, t0); au != nil {
		t.Fatal("a unit with no slice was passed on")
	}
}

func TestTimestampsMonotonicAcrossReconnectAndJumps(t *testing.T) {
	var n Normalizer
	n.SetParams(testSPS, testPPS)
	var last time.Duration = -1
	check := func(pts int64, now time.Time) time.Duration {
		t.Helper()
		au := n.Normalize([][]byte{pslice}, pts, now)
		if au.PTS <= last {
			t.Fatalf("PTS %v after %v: not monotonic", au.PTS, last)
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
	n.Normalize([][]byte{pslice}, 90000*3600, t0.Add(11*time.Second))
	if last = check(90000*3600, t0.Add(11*time.Second)); last <= base {
		t.Fatal("duplicate timestamp not advanced")
	}
}

func equalNALUs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
