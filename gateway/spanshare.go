package gateway

import (
	"context"
	"slices"
	"time"

	"vigil/gateway/store"
	"vigil/streams/segstore"
)

// spanGap is the longest hole between two segments that still counts as
// one span: segments follow each other with a few milliseconds between.
const spanGap = 2 * time.Second

// spanShare tells the store which recorded time of each camera this node
// holds, so an export on any node knows whom to ask for it. Recordings
// stay on the disk of the node that owned the camera when it was recorded.
type spanShare struct {
	g      *Gateway
	node   string
	last   map[string][]store.RecordingSpan // by camera: what was written last
	cancel context.CancelFunc
	done   chan struct{}
}

// startSpanShare runs on a cluster node; a single node has nobody to tell.
func startSpanShare(g *Gateway, interval time.Duration) *spanShare {
	if g.member == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &spanShare{g: g, node: g.member.Name(), last: map[string][]store.RecordingSpan{}, cancel: cancel,
		done: make(chan struct{})}
	go s.run(ctx, interval)
	return s
}

func (s *spanShare) run(ctx context.Context, interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.publish(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// publish writes the spans of every camera whose recordings changed.
func (s *spanShare) publish(ctx context.Context) {
	idx := s.g.recording.index
	for _, camera := range idx.Cameras() {
		spans := spansOf(idx.Coverage(camera, spanGap), camera, s.node)
		if slices.EqualFunc(spans, s.last[camera], sameSpan) {
			continue
		}
		if err := s.g.services.store.ReplaceRecordingSpans(ctx, camera, s.node, spans); err != nil {
			s.g.log.Debug("share recording spans", "camera", camera, "err", err)
			continue // again next time
		}
		s.last[camera] = spans
	}
}

// spansOf turns an index's coverage into the store's spans.
func spansOf(cover []segstore.Span, camera, node string) []store.RecordingSpan {
	var out []store.RecordingSpan
	for _, c := range cover {
		out = append(out, store.RecordingSpan{Camera: camera, Node: node, Start: c.Start, End: c.End})
	}
	return out
}

func sameSpan(a, b store.RecordingSpan) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }

func (s *spanShare) close() {
	if s == nil {
		return
	}
	s.cancel()
	<-s.done
}
