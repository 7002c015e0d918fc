package diagnose

import "math"

// Picture is a small grey (luma only) picture, row after row.
type Picture struct {
	W, H int
	Luma []byte
}

// Mean returns the average luma, 0–255.
func (p Picture) Mean() float64 {
	if len(p.Luma) == 0 {
		return 0
	}
	sum := 0
	for _, v := range p.Luma {
		sum += int(v)
	}
	return float64(sum) / float64(len(p.Luma))
}

// Spread returns the standard deviation of the luma: near zero for a
// uniform picture (a lens cap, a blacked-out or washed-out camera).
func (p Picture) Spread() float64 {
	if len(p.Luma) == 0 {
		return 0
	}
	mean := p.Mean()
	var sq float64
	for _, v := range p.Luma {
		d := float64(v) - mean
		sq += d * d
	}
	return math.Sqrt(sq / float64(len(p.Luma)))
}

// Difference returns how many luma levels the pictures differ by at the
// pixel that differs most; pictures of different sizes differ by 255.
// The maximum, not the mean: a frozen camera's picture is the same bit
// for bit after decoding, while a live one differs at least where its
// clock or anything in the scene moved, however small.
func Difference(a, b Picture) int {
	if a.W != b.W || a.H != b.H || len(a.Luma) != len(b.Luma) {
		return 255
	}
	most := 0
	for i := range a.Luma {
		d := int(a.Luma[i]) - int(b.Luma[i])
		most = max(most, d, -d)
	}
	return most
}
