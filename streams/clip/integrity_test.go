package clip

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/media"
	"vigil/streams/segstore"
)

// h264Units is seconds of real 160x96 H.264 at 25 fps (1 s GOP) as a
// camera's hub would carry it.
func h264Units(t *testing.T, seconds int) ([]*media.AccessUnit, media.Track) {
	src, in := h264Frames(t, 160, 96)
	var aus []*media.AccessUnit
	for i := range seconds * 25 {
		pts := time.Duration(i) * frameDur
		key := i%25 == 0
		aus = append(aus, &media.AccessUnit{PTS: pts, DTS: pts, Key: key, NALUs: src(i, key)})
	}
	return aus, media.Track{Codec: media.CodecH264, Width: 160, Height: 96, SPS: in.SPS, PPS: in.PPS}
}

// recorded6s records 6 s through the real recorder: three 2 s segments
// of two 1 s fragments each (and the closing keyframe in a fourth).
func recorded6s(t *testing.T) (root string, segs []segstore.Segment, base time.Time) {
	aus, track := h264Units(t, 6)
	root = t.TempDir()
	idx, base := recordUnits(t, root, aus, track)
	segs = idx.Segments("cam", time.Time{}, base.Add(time.Hour))
	if len(segs) != 4 {
		t.Fatalf("%d segments, want 3 and the closing keyframe: %+v", len(segs), segs)
	}
	return root, segs[:3], base
}

// overwrite writes b into a file at off and returns the file's bytes.
func overwrite(t *testing.T, path string, off int64, b []byte) []byte {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	f.Close()
	all, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// exportAll exports [from, to) of camera "cam" and checks the clip with
// ffprobe and ffmpeg.
func exportAll(t *testing.T, idx *segstore.Index, base, from, to time.Time) *Result {
	t.Helper()
	out := filepath.Join(t.TempDir(), "clip.mp4")
	exp := &Exporter{Store: idx, Now: func() time.Time { return base.Add(time.Hour) }}
	res, err := exp.Export(context.Background(), Request{Camera: "cam", From: from, To: to, Path: out})
	if err != nil {
		t.Fatal(err)
	}
	if p := ffprobe(t, out); p.Codec != "h264" || !p.FirstKey || p.AllFrames != res.Frames {
		t.Fatalf("ffprobe %+v, clip %d frames", p, res.Frames)
	}
	ffmpegDecodesCleanly(t, out)
	return res
}

// missingFor returns the missing ranges with reason.
func missingFor(res *Result, reason string) []Range {
	var out []Range
	for _, m := range res.Missing {
		if m.Reason == reason {
			out = append(out, m)
		}
	}
	return out
}

// Finding 5: four bytes overwritten in the first fragment header of a
// recorded segment. The start-up scan keeps the original in quarantine
// byte for byte and indexes the fragment after the damage; an export
// over the range plays, and lists the lost second as damaged.
func TestExportOverDamagedSegment(t *testing.T) {
	needTool(t, "ffprobe")
	root, segs, base := recorded6s(t)
	victim := segs[1]
	in, err := segstore.ScanFile(victim.Path)
	if err != nil || len(in.Good) != 2 {
		t.Fatalf("%+v %v", in, err)
	}
	damaged := overwrite(t, victim.Path, in.Good[0].From, []byte{0xde, 0xad, 0xbe, 0xef})

	idx := openIndex(t, root) // the start-up scan repairs
	q := filepath.Join(root, "cam", segstore.QuarantineDir, filepath.Base(victim.Path))
	if b, err := os.ReadFile(q); err != nil || !bytes.Equal(b, damaged) {
		t.Fatalf("quarantined original: %v; want the damaged file byte for byte", err)
	}
	if d := idx.Damaged()["cam"]; len(d) != 1 || d[0].Salvaged != 1 {
		t.Fatalf("damage %+v", d)
	}
	now := idx.Segments("cam", time.Time{}, base.Add(time.Hour))
	if len(now) != 4 || !now[1].Damaged || !now[1].End.Equal(victim.End) {
		t.Fatalf("segments after repair %+v", now)
	}
	res := exportAll(t, idx, base, segs[0].Start, segs[2].End)
	lost := missingFor(res, ReasonDamaged)
	if len(lost) != 1 || !lost[0].From.Equal(victim.Start) || lost[0].To.Sub(lost[0].From) != time.Second {
		t.Fatalf("missing %+v, want the damaged first second of %v", res.Missing, victim.Start)
	}
	if res.Frames != 125 {
		t.Fatalf("%d frames, want 125 (6 s less the lost second)", res.Frames)
	}
}

// An export over a segment damaged after the start-up scan (so never
// repaired) exports what is readable instead of failing.
func TestExportOverSegmentDamagedUnderTheIndex(t *testing.T) {
	needTool(t, "ffprobe")
	root, segs, base := recorded6s(t)
	idx := openIndex(t, root)
	in, _ := segstore.ScanFile(segs[1].Path)
	overwrite(t, segs[1].Path, in.Good[0].From+4, []byte("junk"))
	res := exportAll(t, idx, base, segs[0].Start, segs[2].End)
	if lost := missingFor(res, ReasonDamaged); len(lost) != 1 || res.Fragments.Damaged != 1 || res.Frames != 125 {
		t.Fatalf("result %+v", res)
	}
}

// Finding 12: bytes flipped in the video payload of one fragment. The
// export leaves that fragment out and says it was tampered with; an
// untouched recording exports whole with every fragment verified, and
// one recorded before hashing (no sidecar) exports whole as unhashed.
func TestExportLeavesOutTamperedFragment(t *testing.T) {
	needTool(t, "ffprobe")
	root, segs, base := recorded6s(t)
	idx := openIndex(t, root)
	res := exportAll(t, idx, base, segs[0].Start, segs[2].End)
	if len(res.Missing) != 0 || res.Fragments != (FragmentCounts{Verified: 6}) || res.Frames != 150 {
		t.Fatalf("untouched: %+v", res)
	}

	in, _ := segstore.ScanFile(segs[1].Path)
	frag := in.Good[1] // the segment's second second
	orig, _ := os.ReadFile(segs[1].Path)
	overwrite(t, segs[1].Path, frag.To-200, []byte{0x13, 0x37, 0x13, 0x37, 0x13, 0x37})
	res = exportAll(t, idx, base, segs[0].Start, segs[2].End)
	bad := missingFor(res, ReasonTampered)
	wantFrom := segs[1].Start.Add(time.Second)
	if len(bad) != 1 || !bad[0].From.Equal(wantFrom) || bad[0].To.Sub(bad[0].From) != time.Second {
		t.Fatalf("missing %+v, want %v + 1 s tampered", res.Missing, wantFrom)
	}
	if res.Fragments != (FragmentCounts{Verified: 5, Tampered: 1}) || res.Frames != 125 {
		t.Fatalf("tampered: %+v", res)
	}

	overwrite(t, segs[1].Path, 0, orig)
	for _, s := range segs {
		os.Remove(segstore.ChainPath(s.Path))
	}
	res = exportAll(t, idx, base, segs[0].Start, segs[2].End)
	if len(res.Missing) != 0 || res.Fragments != (FragmentCounts{Unhashed: 6}) {
		t.Fatalf("no sidecars: %+v", res)
	}
}
