package gateway_test

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/streams/evidence"
)

// clipBody is a valid request for the last minute of camera.
func clipBody(camera string) map[string]string {
	now := time.Now()
	return map[string]string{"camera": camera, "from": now.Add(-time.Minute).Format(time.RFC3339),
		"to": now.Format(time.RFC3339), "reason": "walk"}
}

// clip stores a done export of camera bjx-nsq-01 owned by w (by the admin
// for callers that may not export), with a signed file, and returns its id.
func (tw *testWalk) clip(w *walker) string {
	tw.t.Helper()
	owner := "admin"
	if w != nil && w.role.AtLeast(auth.RoleDispatcher) {
		owner = w.user
	}
	return storeDoneClip(tw.testGateway, "bjx-nsq-01", owner)
}

// storeDoneClip puts a done clip with a small signed file in place, as an
// export would have, and returns its id.
func storeDoneClip(g *testGateway, camera, owner string) string {
	g.t.Helper()
	from := time.Now().Add(-time.Hour)
	c, err := g.Store().CreateClip(context.Background(), store.Clip{Camera: camera, From: from, To: from.Add(time.Minute),
		Reason: "walk", Exporter: owner, Status: "done", Progress: 1})
	if err != nil {
		g.t.Fatal(err)
	}
	key, err := evidence.LoadOrCreateKey(g.dataDir)
	if err != nil {
		g.t.Fatal(err)
	}
	path := filepath.Join(g.dataDir, "clips", c.ID+".mp4")
	if err := os.WriteFile(path, []byte("\x00\x00\x00\x18ftypisom not really a clip"), 0o640); err != nil {
		g.t.Fatal(err)
	}
	m, err := key.Sign(path, evidence.Manifest{Camera: camera, Station: "bjx", From: c.From, To: c.To, Exporter: owner, Reason: c.Reason, ExportedAt: time.Now()})
	if err != nil {
		g.t.Fatal(err)
	}
	if err := evidence.WriteManifest(evidence.ManifestPath(path), m); err != nil {
		g.t.Fatal(err)
	}
	c.Size, c.SHA256 = m.Size, m.SHA256
	if err := g.Store().UpdateClip(context.Background(), c); err != nil {
		g.t.Fatal(err)
	}
	return c.ID
}
