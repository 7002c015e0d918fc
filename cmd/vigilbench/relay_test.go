package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"vigil/gateway/config"
)

// The relay pair's config is one vigil accepts: a station owned by the
// owner node, both nodes in the cluster section.
func TestRelayConfigLoads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store, secret := filepath.Join(dir, "store"), filepath.Join(dir, "secret")
	os.WriteFile(store, []byte("postgres://vigil@127.0.0.1:1/vigil"), 0o600)
	os.WriteFile(secret, []byte("a-secret-of-enough-length-0123"), 0o600)
	api := map[string]string{relayOwner: "http://127.0.0.1:1", relayViewer: "http://127.0.0.1:2"}
	relay := map[string]string{relayOwner: "127.0.0.1:3", relayViewer: "127.0.0.1:4"}
	path := filepath.Join(dir, "vigil.yaml")
	os.WriteFile(path, []byte(relayConfig("127.0.0.1:8554", 3, false, store, secret, api, relay)), 0o600)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, relayConfig("127.0.0.1:8554", 3, false, store, secret, api, relay))
	}
	if got := cfg.Stations[0].Nodes; len(got) != 1 || got[0] != relayOwner || len(cfg.Stations[0].Cameras) != 3 {
		t.Fatalf("station %+v", cfg.Stations[0])
	}
	for _, n := range []string{relayOwner, relayViewer} {
		if _, ok := cfg.Cluster.Node(n); !ok {
			t.Fatalf("no node %s", n)
		}
	}
	if _, err := parse([]string{"-url", "http://127.0.0.1:1/{cam}/whep", "relay"}, io.Discard); err == nil {
		t.Fatal("relay accepted with -url")
	}
}
