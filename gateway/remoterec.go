package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"vigil/gateway/api"
	"vigil/gateway/config"
	"vigil/gateway/store"
	"vigil/streams/segstore"
)

// clusterRecordings is the recording index an export reads in a cluster:
// this node's segments, and for the time other nodes recorded (the store's
// recording spans say which), their segments fetched over their internal
// API into a scratch folder for the export's duration. A node that does
// not answer leaves its part out: the export lists it as missing, as any
// gap.
type clusterRecordings struct {
	local   *segstore.Index
	store   *store.Store
	cluster config.Cluster
	self    string
	secret  string
	dir     string // scratch folder for fetched segments
	client  *http.Client
	log     interface{ Warn(string, ...any) }

	mu      sync.Mutex
	fetched map[string]bool // paths under dir, removed when their export ends
}

// newClusterRecordings makes the index of an export in a cluster; dir is
// emptied first (what a crash left there).
func newClusterRecordings(g *Gateway, secret, dir string) (*clusterRecordings, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &clusterRecordings{local: g.recording.index, store: g.services.store, cluster: g.cfg.Cluster,
		self: g.member.Name(), secret: secret, dir: dir, client: &http.Client{Timeout: 5 * time.Minute},
		log: g.log, fetched: map[string]bool{}}, nil
}

// Recorded reports whether any node holds recordings of camera in the
// range, without fetching anything (the 422 check of a new export).
func (c *clusterRecordings) Recorded(camera string, from, to time.Time) bool {
	if len(c.local.Segments(camera, from, to)) > 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	spans, err := c.store.RecordingSpans(ctx, camera, from, to)
	return err == nil && len(spans) > 0
}

// Segments returns every segment of camera in the range, this node's and
// the fetched ones, by start; where two nodes recorded the same time (a
// partition), the earlier-starting segment wins.
func (c *clusterRecordings) Segments(camera string, from, to time.Time) []segstore.Segment {
	segs := c.local.Segments(camera, from, to)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	spans, err := c.store.RecordingSpans(ctx, camera, from, to)
	if err != nil {
		c.log.Warn("export: which node holds what is unknown, exporting this node's recordings only", "camera", camera, "err", err)
	}
	nodes := map[string]bool{}
	for _, sp := range spans {
		if sp.Node != c.self {
			nodes[sp.Node] = true
		}
	}
	for node := range nodes {
		got, err := c.fetch(ctx, node, camera, from, to)
		if err != nil {
			c.log.Warn("export: another node's recordings could not be fetched; that part is missing", "node", node, "camera", camera, "err", err)
		}
		segs = append(segs, got...)
	}
	return withoutOverlaps(segs)
}

// withoutOverlaps sorts segments by start and drops any that begins
// before the previous one ends.
func withoutOverlaps(segs []segstore.Segment) []segstore.Segment {
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].Start.Before(segs[j].Start) })
	out := segs[:0]
	for _, s := range segs {
		if n := len(out); n > 0 && s.Start.Before(out[n-1].End) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Pin pins this node's segments; fetched ones are removed on release.
func (c *clusterRecordings) Pin(segs []segstore.Segment) func() {
	var local, fetched []segstore.Segment
	c.mu.Lock()
	for _, s := range segs {
		if c.fetched[s.Path] {
			fetched = append(fetched, s)
		} else {
			local = append(local, s)
		}
	}
	c.mu.Unlock()
	release := c.local.Pin(local)
	return func() {
		release()
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, s := range fetched {
			os.Remove(s.Path)
			os.Remove(segstore.ChainPath(s.Path))
			os.Remove(filepath.Dir(s.Path)) // once its last segment is gone
			delete(c.fetched, s.Path)
		}
	}
}

// fetch copies node's segments of camera in the range into the scratch
// folder and returns them.
func (c *clusterRecordings) fetch(ctx context.Context, node, camera string, from, to time.Time) ([]segstore.Segment, error) {
	n, ok := c.cluster.Node(node)
	if !ok {
		return nil, fmt.Errorf("node %s is not in the config", node)
	}
	base := n.API + "/api/internal/recordings/" + url.PathEscape(camera)
	var list []api.NodeSegment
	q := url.Values{"from": {from.UTC().Format(time.RFC3339Nano)}, "to": {to.UTC().Format(time.RFC3339Nano)}}
	if err := c.getJSON(ctx, base+"?"+q.Encode(), &list); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(c.dir, node+"-")
	if err != nil {
		return nil, err
	}
	var out []segstore.Segment
	for _, ns := range list {
		if filepath.Base(ns.Name) != ns.Name || filepath.Ext(ns.Name) != segstore.Ext {
			return out, fmt.Errorf("node %s sent a segment name %q", node, ns.Name)
		}
		path := filepath.Join(dir, ns.Name)
		size, err := c.download(ctx, base+"/"+url.PathEscape(ns.Name), path, ns.Size)
		if err != nil {
			return out, err
		}
		if ns.Chain {
			if _, err := c.download(ctx, base+"/"+url.PathEscape(ns.Name)+"?part=chain", segstore.ChainPath(path), -1); err != nil {
				return out, err
			}
		}
		c.mu.Lock()
		c.fetched[path] = true
		c.mu.Unlock()
		out = append(out, segstore.Segment{Camera: camera, Path: path, Start: ns.Start, End: ns.End, Size: size, Intact: ns.Intact})
	}
	return out, nil
}

func (c *clusterRecordings) get(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Node "+c.secret)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("%s", resp.Status)
	}
	return resp, nil
}

func (c *clusterRecordings) getJSON(ctx context.Context, u string, v any) error {
	resp, err := c.get(ctx, u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v)
}

// download writes what u answers to path; want >= 0 is the size the
// listing promised, and anything else is an error.
func (c *clusterRecordings) download(ctx context.Context, u, path string, want int64) (int64, error) {
	resp, err := c.get(ctx, u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && want >= 0 && n != want {
		err = fmt.Errorf("got %d of %d bytes", n, want)
	}
	if err != nil {
		os.Remove(path)
		return 0, err
	}
	return n, nil
}
