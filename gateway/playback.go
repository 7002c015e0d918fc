package gateway

import (
	"context"
	"slices"
	"time"

	"vigil/gateway/store"
	"vigil/streams/clip"
	"vigil/streams/playback"
	"vigil/streams/segstore"
)

// recordings serves playback and the recording routes of the API from
// this node's segment index; in a cluster the spans come from the store,
// where every node shares what it holds (spanshare.go).
type recordings struct {
	index *segstore.Index
	// shared lists every node's spans; nil on a single node.
	shared func(ctx context.Context, camera string, from, to time.Time) ([]store.RecordingSpan, error)
}

func newRecordings(g *Gateway) recordings {
	r := recordings{index: g.recording.index}
	if g.member != nil {
		r.shared = g.services.store.RecordingSpans
	}
	return r
}

func (r recordings) Store() playback.Store { return r.index }

// Spans returns the recorded spans of camera overlapping [from, to),
// clipped to it.
func (r recordings) Spans(ctx context.Context, camera string, from, to time.Time) ([]segstore.Span, error) {
	var all []segstore.Span
	if r.shared != nil {
		spans, err := r.shared(ctx, camera, from, to)
		if err != nil {
			return nil, err
		}
		for _, s := range spans {
			all = append(all, segstore.Span{Start: s.Start, End: s.End})
		}
	}
	all = append(all, r.index.Coverage(camera, spanGap)...)
	return clipSpans(mergeSpans(all), from, to), nil
}

// mergeSpans joins spans that overlap or touch within spanGap (two nodes
// that recorded the same camera in turn, or the same span twice).
func mergeSpans(spans []segstore.Span) []segstore.Span {
	slices.SortFunc(spans, func(a, b segstore.Span) int { return a.Start.Compare(b.Start) })
	var out []segstore.Span
	for _, s := range spans {
		if n := len(out); n > 0 && !s.Start.After(out[n-1].End.Add(spanGap)) {
			if s.End.After(out[n-1].End) {
				out[n-1].End = s.End
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// clipSpans keeps the parts of spans inside [from, to).
func clipSpans(spans []segstore.Span, from, to time.Time) []segstore.Span {
	var out []segstore.Span
	for _, s := range spans {
		if !s.End.After(from) || !s.Start.Before(to) {
			continue
		}
		out = append(out, segstore.Span{Start: later(s.Start, from), End: earlier(s.End, to)})
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ExportMP4 writes [from, to) of this node's recording of camera to path.
func (r recordings) ExportMP4(ctx context.Context, camera string, from, to time.Time, path string) error {
	e := clip.Exporter{Store: r.index}
	_, err := e.Export(ctx, clip.Request{Camera: camera, From: from, To: to, Path: path})
	return err
}
