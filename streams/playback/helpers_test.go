package playback

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

const frameDur = 40 * time.Millisecond // 25 fps

// testInit is a valid H.264 header (640x360): the recorder's segments
// carry real parameter sets, the frames below are not decoded.
var testInit = segstore.Init{Timescale: segstore.Timescale, Width: 640, Height: 360,
	SPS: []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x40}, PPS: []byte{0x68, 0xce, 0x3c, 0x80}}

// tagged is frame n's slice: its NAL type, then n, so a test reads back
// which recorded frame it got.
func tagged(n int, key bool) []byte {
	typ := byte(0x41)
	if key {
		typ = 0x65
	}
	return binary.BigEndian.AppendUint64([]byte{typ}, uint64(n))
}

// counterOf returns the frame number a unit carries.
func counterOf(au *media.AccessUnit) int {
	s := au.NALUs[len(au.NALUs)-1]
	return int(binary.BigEndian.Uint64(s[1:]))
}

// recording writes frames first..first+count-1 of a 25 fps camera whose
// frame 0 is at t0, GOP frames per keyframe, as segments of segFrames, one
// fragment per GOP, like the recorder. Keyframes carry SPS and PPS.
func writeFrames(t testing.TB, root, camera string, t0 time.Time, first, count, gop, segFrames int) {
	t.Helper()
	dir := filepath.Join(root, camera)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	for s := first; s < first+count; s += segFrames {
		n := min(segFrames, first+count-s)
		buf = segstore.AppendInit(buf[:0], testInit)
		var base uint64
		var samples []segstore.OutSample
		flush := func(seq int) {
			if len(samples) > 0 {
				buf = segstore.AppendFragment(buf, uint32(seq), base, samples)
				base += uint64(len(samples)) * 3600
				samples = samples[:0]
			}
		}
		for i := s; i < s+n; i++ {
			key := i%gop == 0
			if key {
				flush(i)
			}
			nalus := [][]byte{tagged(i, key)}
			if key {
				nalus = [][]byte{testInit.SPS, testInit.PPS, tagged(i, key)}
			}
			samples = append(samples, segstore.OutSample{Duration: 3600, Key: key, NALUs: nalus})
		}
		flush(s + n)
		start := t0.Add(time.Duration(s) * frameDur)
		if err := os.WriteFile(filepath.Join(dir, segstore.FileName(start)), buf, 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

func openIndex(t testing.TB, root string) *segstore.Index {
	t.Helper()
	x, err := segstore.Open(segstore.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// past is a whole second some minutes ago: recordings of tests lie there.
func past() time.Time { return time.Now().Add(-10 * time.Minute).Truncate(time.Second) }

// frameAt is the recorded time of frame n of a camera started at t0.
func frameAt(t0 time.Time, n int) time.Time { return t0.Add(time.Duration(n) * frameDur) }

// startPlayer starts a player and closes it when the test ends.
func startPlayer(t testing.TB, o Options) *Player {
	t.Helper()
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// viewer reads a player's hub like an output does, unit by unit.
type viewer struct {
	t testing.TB
	r *hub.Reader
	q []*media.AccessUnit
}

func watch(t testing.TB, p *Player) *viewer {
	r := p.Hub().NewReader()
	t.Cleanup(r.Close)
	return &viewer{t: t, r: r}
}

// next returns the next unit sent, with the wall time it was read.
func (v *viewer) next() *media.AccessUnit {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for len(v.q) == 0 {
		d, err := v.r.Read(ctx)
		if err != nil {
			v.t.Fatalf("no frame from the player: %v", err)
		}
		v.q = append(v.q, d.Units...)
	}
	au := v.q[0]
	v.q = v.q[1:]
	return au
}

// poll returns a unit sent within d, if any. A test uses it to see that
// nothing more was sent: a machine too busy to deliver within d can only
// hide a fault from it, never make one.
func (v *viewer) poll(d time.Duration) (*media.AccessUnit, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for len(v.q) == 0 {
		got, err := v.r.Read(ctx)
		if err != nil {
			return nil, false
		}
		v.q = append(v.q, got.Units...) // none for a status
	}
	au := v.q[0]
	v.q = v.q[1:]
	return au, true
}

// samplesOf returns frames first..first+n-1 as a recorder's samples.
func samplesOf(first, n, gop int) []segstore.OutSample {
	var out []segstore.OutSample
	for i := first; i < first+n; i++ {
		key := i%gop == 0
		nalus := [][]byte{tagged(i, key)}
		if key {
			nalus = [][]byte{testInit.SPS, testInit.PPS, tagged(i, key)}
		}
		out = append(out, segstore.OutSample{Duration: 3600, Key: key, NALUs: nalus})
	}
	return out
}
