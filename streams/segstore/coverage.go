package segstore

import "time"

// Span is a stretch of time a camera's segments cover without a hole.
type Span struct{ Start, End time.Time }

// Coverage returns the spans camera's segments cover, segments less than
// gap apart joined into one. It copies no segment: a camera with a week
// of recordings has thousands of segments but a handful of spans.
func (x *Index) Coverage(camera string, gap time.Duration) []Span {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []Span
	for _, s := range x.cams[camera] {
		if n := len(out); n > 0 && !s.Start.After(out[n-1].End.Add(gap)) {
			if s.End.After(out[n-1].End) {
				out[n-1].End = s.End
			}
			continue
		}
		out = append(out, Span{Start: s.Start, End: s.End})
	}
	return out
}
