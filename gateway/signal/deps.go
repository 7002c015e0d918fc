package signal

import (
	"context"

	"vigil/gateway/auth"
	"vigil/gateway/catalog"
	"vigil/gateway/store"
	"vigil/streams/webrtc"
)

// The interfaces below are what a Server calls on its dependencies,
// declared here where they are used (as mediamtx's serverPathManager), so
// that signal names only the methods it needs and a test can stand in for
// any of them. The gateway passes *catalog.Catalog, *webrtc.Engine,
// *Health and *Walls.

// CameraFinder finds a camera a tile is asked to show.
type CameraFinder interface {
	Camera(id string) (*catalog.Camera, bool)
}

// PeerSessions starts a console's WebRTC peer connection from its offer.
type PeerSessions interface {
	NewSession(ctx context.Context, opts webrtc.SessionOptions) (*webrtc.Session, string, error)
}

// HealthFeed tells a console every camera's health, then its changes.
type HealthFeed interface {
	Snapshot() []CameraHealth
	Subscribe(fn func(CameraHealth)) (unsubscribe func())
}

// WallFeed is what a console following a video wall reads.
type WallFeed interface {
	Visible(u auth.User, id string) bool
	Get(ctx context.Context, id string) (store.Wall, error)
	Subscribe(id string) (<-chan store.Wall, func())
}
