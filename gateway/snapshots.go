package gateway

import (
	"context"
	"time"

	"vigil/gateway/catalog"
	"vigil/streams/segstore"
	"vigil/streams/snapshot"
)

// snapshots makes the stills of GET /api/cameras/{id}/snapshot: live from
// the main stream's cached GOP, recorded from this node's segments.
type snapshots struct {
	catalog *catalog.Catalog
	index   *segstore.Index
	taker   *snapshot.Taker
}

func newSnapshots(cat *catalog.Catalog, idx *segstore.Index) *snapshots {
	return &snapshots{catalog: cat, index: idx, taker: snapshot.New(snapshot.Options{})}
}

// Live is a still of the picture viewers of camera see now.
func (s *snapshots) Live(ctx context.Context, camera string) ([]byte, error) {
	cam, ok := s.catalog.Camera(camera)
	if !ok {
		return nil, snapshot.ErrNoPicture
	}
	return s.taker.FromUnits(ctx, cam.MainHub.Status().Track.Codec, cam.MainHub.CachedGOP())
}

// At is a still of camera's recorded picture at t. The segment is pinned
// while ffmpeg reads it, so retention cannot delete it under the decode.
func (s *snapshots) At(ctx context.Context, camera string, t time.Time) ([]byte, error) {
	segs := s.index.Segments(camera, t, t.Add(time.Millisecond))
	if len(segs) == 0 {
		return nil, snapshot.ErrNoRecording
	}
	seg := segs[len(segs)-1]
	release := s.index.Pin([]segstore.Segment{seg})
	defer release()
	return s.taker.FromSegment(ctx, seg.Path, t.Sub(seg.Start))
}
