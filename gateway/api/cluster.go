package api

import (
	"context"
	"net/http"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/cluster"
)

// ClusterView shows the cluster as this node sees it.
type ClusterView interface {
	Snapshot() cluster.Snapshot
}

func (s *Server) clusterRoutes() []Route {
	return []Route{
		{"GET", "/readyz", authz.ActionPublic, s.handleReady},
		{"GET", "/api/cluster", authz.ActionReadCluster, s.handleCluster},
	}
}

// handleCluster is GET /api/cluster: the nodes (state, last heartbeat,
// version, cameras owned, load) and each camera's owner. A single node
// answers enabled false.
func (s *Server) handleCluster(w http.ResponseWriter, r *http.Request, _ auth.User) {
	if s.opts.Cluster == nil {
		writeJSON(w, http.StatusOK, map[string]any{"enabled": false})
		return
	}
	snap := s.opts.Cluster.Snapshot()
	writeJSON(w, http.StatusOK, map[string]any{"enabled": true, "node": snap.Node, "state": snap.State,
		"nodes": snap.Nodes, "cameras": snap.Cameras})
}

// handleReady is GET /readyz: 200 when this node can serve (its store
// answers, it is a member of its cluster), else 503 with the reason. Load
// balancers and Kubernetes send consoles only to ready nodes.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request, _ auth.User) {
	ready := s.opts.Ready
	if ready == nil {
		ready = func(context.Context) error { return nil }
	}
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ready": false, "reason": "draining"})
		return
	}
	if err := ready(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ready": false, "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ready": true})
}
