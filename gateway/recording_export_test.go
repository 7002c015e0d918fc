package gateway

import (
	"time"

	"vigil/streams/record"
	"vigil/streams/segstore"
)

// SetRecordFS makes recorders write through fs (a failing disk in tests).
func SetRecordFS(fs func(camera string) record.FS) (restore func()) {
	old := recordFS
	recordFS = fs
	return func() { recordFS = old }
}

// SetRecordSegment sets the recorders' segment length.
func SetRecordSegment(d time.Duration) (restore func()) {
	old := recordSegment
	recordSegment = d
	return func() { recordSegment = old }
}

// RecordingState returns a camera's recorder state.
func (g *Gateway) RecordingState(camera string) (record.RecState, bool) {
	return g.recording.State(camera)
}

// RecordedSegments returns a camera's indexed segments.
func (g *Gateway) RecordedSegments(camera string) []segstore.Segment {
	return g.recording.index.Segments(camera, time.Time{}, time.Now().Add(time.Hour))
}

// RecordedUntil returns the end of camera's newest segment on this node.
func (g *Gateway) RecordedUntil(camera string) time.Time {
	segs := g.recording.index.Segments(camera, time.Time{}, time.Now().Add(time.Hour))
	if len(segs) == 0 {
		return time.Time{}
	}
	return segs[len(segs)-1].End
}
