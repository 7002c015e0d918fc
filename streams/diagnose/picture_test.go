package diagnose

import "testing"

func TestPictureMeasures(t *testing.T) {
	flat := Picture{W: 2, H: 2, Luma: []byte{16, 16, 16, 16}}
	split := Picture{W: 2, H: 2, Luma: []byte{0, 200, 0, 200}}
	if flat.Mean() != 16 || flat.Spread() != 0 {
		t.Fatalf("flat: mean %v spread %v", flat.Mean(), flat.Spread())
	}
	if split.Mean() != 100 || split.Spread() != 100 {
		t.Fatalf("split: mean %v spread %v", split.Mean(), split.Spread())
	}
	if d := Difference(flat, split); d != 184 {
		t.Fatalf("difference %d, want the largest pixel's 184", d)
	}
	if d := Difference(flat, Picture{W: 1, H: 4, Luma: flat.Luma}); d != 255 {
		t.Fatalf("pictures of other sizes differ by %d, want 255", d)
	}
	if (Picture{}).Mean() != 0 || (Picture{}).Spread() != 0 {
		t.Fatal("an empty picture measured")
	}
}
