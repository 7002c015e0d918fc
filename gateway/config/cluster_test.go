package config

import (
	"os"
	"path/filepath"
	"testing"
)

const clusterStations = `stations:
  - id: bjx
    nodes: [bjx-1, bjx-2]
    cameras:
      - id: bjx-nsq-01
        url: rtsp://u:p@192.0.2.10/Streaming/Channels/101
  - id: bjn
    nodes: [bjn-1]
    cameras:
      - id: bjn-plt-01
        url: rtsp://u:p@192.0.2.20/Streaming/Channels/101
`

const clusterNodes = `  nodes:
    - {name: bjx-1, api: "http://10.1.0.11:8080", relay: "10.1.0.11:8554"}
    - {name: bjx-2, api: "http://10.1.0.12:8080", relay: "10.1.0.12:8554"}
    - {name: bjn-1, api: "http://10.2.0.11:8080", relay: "10.2.0.11:8554"}
    - {name: center, api: "https://10.9.0.10", relay: "10.9.0.10:8554"}
`

func TestClusterConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	storeFile := filepath.Join(dir, "store")
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(storeFile, []byte("postgres://vigil:hunter2@db:5432/vigil\n"), 0o600)
	os.WriteFile(secretFile, []byte("0123456789abcdef0123\n"), 0o600)
	cfg, err := Parse([]byte(clusterStations + "cluster:\n  store_file: " + storeFile +
		"\n  secret_file: " + secretFile + "\n" + clusterNodes))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cluster
	if !c.Enabled() || len(c.Nodes) != 4 || cfg.Stations[0].Nodes[1] != "bjx-2" {
		t.Fatalf("cluster = %+v", c)
	}
	if u, err := c.StoreURL(); err != nil || u != "postgres://vigil:hunter2@db:5432/vigil" {
		t.Fatalf("StoreURL = %q, %v", u, err)
	}
	if s, err := c.Secret(); err != nil || s != "0123456789abcdef0123" {
		t.Fatalf("Secret = %q, %v", s, err)
	}
	if n, ok := c.Node("center"); !ok || n.Relay != "10.9.0.10:8554" {
		t.Fatalf("Node(center) = %+v %v", n, ok)
	}
	if _, ok := c.Node("nobody"); ok {
		t.Fatal("found an unknown node")
	}
	os.WriteFile(secretFile, []byte("short\n"), 0o600)
	if _, err := c.Secret(); err == nil {
		t.Fatal("accepted a 5-character secret")
	}
	os.WriteFile(storeFile, []byte("\n"), 0o600)
	if _, err := c.StoreURL(); err == nil {
		t.Fatal("accepted an empty store file")
	}
}

func TestBadClusterConfigs(t *testing.T) {
	t.Parallel()
	good := "cluster:\n  store: postgres://vigil:hunter2@db/vigil\n  secret_file: /run/secret\n"
	checkBadConfigs(t, []badConfig{
		{"station nodes without cluster", clusterStations, `stations[0].nodes: needs a cluster section`},
		{"no store", clusterStations + "cluster:\n  secret_file: /s\n" + clusterNodes, `cluster: store or store_file is required`},
		{"store not postgres", clusterStations + "cluster:\n  store: mysql://u:hunter2@h/db\n  secret_file: /s\n" + clusterNodes,
			`cluster.store: must be a postgres:// or postgresql:// URL`},
		{"both store and file", clusterStations + "cluster:\n  store: postgres://h/db\n  store_file: /f\n  secret_file: /s\n" + clusterNodes,
			`cluster.store: give store or store_file, not both`},
		{"no secret", clusterStations + "cluster:\n  store: postgres://h/db\n" + clusterNodes, `cluster.secret_file: is required`},
		{"no nodes", clusterStations + good, `cluster.nodes: at least one node is required`},
		{"unknown node in station", clusterStations + good + "  nodes:\n    - {name: bjx-1, api: \"http://h:1\", relay: \"h:2\"}\n    - {name: bjn-1, api: \"http://h:1\", relay: \"h:2\"}\n",
			`line 3: stations[0].nodes[1] "bjx-2": no such node in cluster.nodes`},
		{"node in two stations", "stations:\n  - id: a\n    nodes: [n1]\n    cameras: [{id: a-1, url: rtsp://h/}]\n  - id: b\n    nodes: [n1]\n    cameras: [{id: b-1, url: rtsp://h/}]\n" +
			good + "  nodes:\n    - {name: n1, api: \"http://h:1\", relay: \"h:2\"}\n", `stations[1].nodes[0] "n1": node already serves station a`},
		{"station without nodes", "stations:\n  - id: a\n    cameras: [{id: a-1, url: rtsp://h/}]\n" + good + "  nodes:\n    - {name: n1, api: \"http://h:1\", relay: \"h:2\"}\n",
			`stations[0].nodes: station a has cameras: list the nodes that own them`},
		{"bad node api", clusterStations + good + "  nodes:\n    - {name: bjx-1, api: \"ftp://h\", relay: \"h:2\"}\n", `cluster.nodes[0].api "ftp://h": must be an http:// or https:// URL`},
		{"bad node relay", clusterStations + good + "  nodes:\n    - {name: bjx-1, api: \"http://h\", relay: \"h\"}\n", `cluster.nodes[0].relay "h": must be host:port`},
		{"duplicate node", clusterStations + good + "  nodes:\n    - {name: bjx-1, api: \"http://h\", relay: \"h:1\"}\n    - {name: bjx-1, api: \"http://h\", relay: \"h:1\"}\n",
			`cluster.nodes[1].name "bjx-1": duplicate id`},
		{"unknown cluster key", clusterStations + good + "  node: x\n", `cluster.node: unknown key`},
	})
}
