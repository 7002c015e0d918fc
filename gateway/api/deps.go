package api

import (
	"context"

	"github.com/gorilla/websocket"

	"vigil/gateway/auth"
	"vigil/gateway/catalog"
	"vigil/gateway/store"
	"vigil/streams/webrtc"
)

// The interfaces below are what a Server calls on the gateway's catalog,
// WebRTC engine and console side, declared here where they are used (as
// mediamtx's serverPathManager, and signal's deps.go), so that api names
// only the methods it needs. The gateway passes *catalog.Catalog,
// *webrtc.Engine, *signal.Server, *signal.Walls and *signal.WallTours.

// StationFinder finds a station an account's scope names.
type StationFinder interface {
	Station(id string) (*catalog.Station, bool)
}

// CameraCatalog lists the stations and cameras the API shows and finds a
// camera a request names.
type CameraCatalog interface {
	StationFinder
	Stations() []*catalog.Station
	Cameras() []*catalog.Camera
	Camera(id string) (*catalog.Camera, bool)
}

// PeerSessions starts a WHEP viewer's WebRTC peer connection from its
// offer.
type PeerSessions interface {
	NewSession(ctx context.Context, opts webrtc.SessionOptions) (*webrtc.Session, string, error)
}

// ConsoleServer serves one console's WebSocket and returns when it has
// closed.
type ConsoleServer interface {
	Serve(ws *websocket.Conn, u auth.User, token string)
}

// WallControl lists the video walls, tells who may see and change each,
// and sets what one shows.
type WallControl interface {
	Visible(u auth.User, id string) bool
	Controllable(u auth.User, id string) bool
	Get(ctx context.Context, id string) (store.Wall, error)
	List(ctx context.Context) ([]store.Wall, error)
	Put(ctx context.Context, id string, l store.WallLayout, by string) (store.Wall, error)
}

// WallTourRunner runs a tour on a wall; its Put sets a layout and ends the
// wall's tour.
type WallTourRunner interface {
	Start(ctx context.Context, id, grid string, t store.Tour, visible func(string) bool, by string) error
	Put(ctx context.Context, id string, l store.WallLayout, by string) (store.Wall, error)
}
