package gateway

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/catalog"
	"vigil/streams/relay"
)

// relayAccess decides who may pull a camera from the relay: another node
// with the cluster secret, or a user's tool with one of the user's API
// tokens as the RTSP password (the user name must be the token's user),
// within the user's role and stations.
type relayAccess struct {
	catalog *catalog.Catalog
	users   *auth.Service
	// clusterSecret admits node-to-node pulls; empty admits none.
	clusterSecret string
	// owns, in a cluster, tells the cameras this node pulls itself: other
	// nodes are served only those, never a relay of a relay, so a pull
	// that reaches a former owner fails and looks for the new one.
	owns func(camera string) bool
}

var errRelayCredentials = errors.New("neither the cluster secret nor an API token of this user")

// authorize implements relay.Options.Authorize.
func (a *relayAccess) authorize(ctx context.Context, user, password, camera string) error {
	cam, ok := a.catalog.Camera(camera)
	if a.clusterSecret != "" && subtle.ConstantTimeCompare([]byte(password), []byte(a.clusterSecret)) == 1 {
		if !ok || (a.owns != nil && !a.owns(camera)) {
			return relay.ErrUnknownCamera
		}
		return nil
	}
	if !auth.IsAPIToken(password) {
		return errRelayCredentials
	}
	u, err := a.users.Authenticate(ctx, password)
	if err != nil {
		return err
	}
	if u.Name != user {
		return fmt.Errorf("token of another user than %q", user)
	}
	if err := authz.Check(u, authz.ActionView); err != nil {
		return err
	}
	if !ok || !u.CanSeeStation(cam.Station) {
		return relay.ErrUnknownCamera
	}
	return nil
}

// lookup implements relay.Options.Lookup: a camera's main stream with its
// audio, or its sub stream (the main one when it has none).
func (a *relayAccess) lookup(camera string, sub bool) (relay.Hubs, bool) {
	cam, ok := a.catalog.Camera(camera)
	if !ok {
		return relay.Hubs{}, false
	}
	if sub {
		return relay.Hubs{Video: cam.Hub(catalog.Sub)}, true
	}
	return relay.Hubs{Video: cam.MainHub, Audio: cam.AudioHub}, true
}

// startRelay serves every local camera over RTSP on addr.
func startRelay(g *Gateway, addr, clusterSecret string) (*relay.Server, error) {
	a := &relayAccess{catalog: g.catalog, users: g.services.auth, clusterSecret: clusterSecret}
	if g.member != nil {
		a.owns = g.owns
	}
	srv, err := relay.New(relay.Options{
		Address:   addr,
		Lookup:    a.lookup,
		Authorize: a.authorize,
		OnView:    relayViewAudit(g.services.audit, g.log),
		Logger:    g.log,
	})
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	g.log.Info("relay ready", "rtsp", srv.Addr())
	return srv, nil
}

// relayViewAudit records each pull as a view (via "rtsp"), as WHEP and
// console tiles are: by a user's tool under the user's name, by another
// node under the name it sent with the cluster secret.
func relayViewAudit(rec audit.Recorder, log *slog.Logger) func(relay.View) func() {
	return func(v relay.View) func() {
		quality := string(catalog.Main)
		if v.Sub {
			quality = string(catalog.Sub)
		}
		started := time.Now()
		log.Info("view started", "user", v.User, "camera", v.Camera, "via", "rtsp", "remote", v.Remote)
		ip, _, _ := net.SplitHostPort(v.Remote)
		rec.Record(context.Background(), audit.Entry{User: v.User, Action: audit.ActionViewStart, Camera: v.Camera,
			Time: started, Detail: map[string]any{"via": "rtsp", "quality": quality, "ip": ip}})
		return func() {
			d := time.Since(started)
			log.Info("view ended", "user", v.User, "camera", v.Camera, "via", "rtsp", "duration", d.Round(time.Second))
			rec.Record(context.Background(), audit.Entry{User: v.User, Action: audit.ActionViewEnd, Camera: v.Camera,
				Detail: map[string]any{"via": "rtsp", "duration_s": d.Round(time.Millisecond).Seconds()}})
		}
	}
}
