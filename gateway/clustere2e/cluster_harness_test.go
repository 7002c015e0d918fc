package clustere2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
)

// node is one vigil process of the cluster, on its own loopback address.
type node struct {
	name, ip string
	http     string // listen address of the API, console and WHEP
	udp      string // WebRTC UDP
	relay    string // where its relay listens
	// advertised is its relay address in the config; for bjx-1 the link
	// proxy in front of its relay.
	advertised string
	data       string
	proc       *process
}

func (n *node) base() string { return "http://" + n.http }

// cluster is the whole platform of one test.
type cluster struct {
	t       *testing.T
	vigil   string
	pg      *storetest.Server
	cams    *process
	camAddr string
	link    *linkProxy // between the others and bjx-1's relay
	config  string
	nodes   map[string]*node
}

// The cameras: two of 北京西站 (bjx), one of 北京南站 (bjn).
var (
	bjxCameras = []string{"bjx-cam-01", "bjx-cam-02"}
	bjnCameras = []string{"bjn-cam-01"}
)

// startCluster starts PostgreSQL, camsim, the link proxy and writes the
// config; nodes start with start.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	vigil, camsim := binaries(t)
	c := &cluster{t: t, vigil: vigil, pg: startPostgres(t), nodes: map[string]*node{}}
	c.startCameras(camsim)
	dir := t.TempDir()
	for i, name := range []string{"bjx-1", "bjx-2", "bjn-1", "center"} {
		ip := fmt.Sprintf("127.0.0.%d", i+2)
		n := &node{name: name, ip: ip, http: freeAddr(t, ip), udp: freeUDPAddr(t, ip), relay: freeAddr(t, ip),
			data: filepath.Join(dir, name)}
		n.advertised = n.relay
		c.nodes[name] = n
	}
	c.link = startLinkProxy(t, c.nodes["bjx-1"].relay)
	c.nodes["bjx-1"].advertised = c.link.Addr()
	c.config = c.writeConfig(dir, c.pg.URL("postgres"))
	return c
}

// startCameras runs camsim with three small cameras, a keyframe a second.
func (c *cluster) startCameras(camsim string) {
	c.cams = startProcess(c.t, "camsim", camsim, nil,
		"-listen", "127.0.0.1:0", "-cameras", "3", "-gop", "25", "-width", "320", "-height", "180")
	re := regexp.MustCompile(`cameras on (\S+) `)
	testwait.For(c.t, "camsim to listen", func() bool {
		if c.cams.exited() {
			c.t.Fatalf("camsim ended: %s", c.cams.output())
		}
		m := re.FindStringSubmatch(c.cams.output())
		if m != nil {
			c.camAddr = m[1]
		}
		return m != nil
	})
}

// writeConfig writes the one config file every node reads.
func (c *cluster) writeConfig(dir, storeURL string) string {
	storeFile, secretFile := filepath.Join(dir, "store.url"), filepath.Join(dir, "cluster.key")
	must(c.t, os.WriteFile(storeFile, []byte(storeURL+"\n"), 0o600))
	must(c.t, os.WriteFile(secretFile, []byte(clusterSecret+"\n"), 0o600))
	var b strings.Builder
	b.WriteString("stations:\n")
	station := func(id, name string, nodes string, cams []string, first int) {
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    nodes: [%s]\n    cameras:\n", id, name, nodes)
		for i, cam := range cams {
			fmt.Fprintf(&b, "      - {id: %s, url: \"rtsp://%s/cam%d\", transport: tcp}\n", cam, c.camAddr, first+i)
		}
	}
	station("bjx", "北京西站", "bjx-1, bjx-2", bjxCameras, 0)
	station("bjn", "北京南站", "bjn-1", bjnCameras, len(bjxCameras))
	fmt.Fprintf(&b, "cluster:\n  store_file: %s\n  secret_file: %s\n  nodes:\n", storeFile, secretFile)
	for _, name := range []string{"bjx-1", "bjx-2", "bjn-1", "center"} {
		n := c.nodes[name]
		fmt.Fprintf(&b, "    - {name: %s, api: %q, relay: %q}\n", n.name, n.base(), n.advertised)
	}
	path := filepath.Join(dir, "vigil.yaml")
	must(c.t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// spare is a node under name on an address of its own (127.0.0.6), for
// processes that must be refused: a name not in the config, a second
// process under a live name.
func (c *cluster) spare(name string) *node {
	ip := "127.0.0.6"
	return &node{name: name, ip: ip, http: freeAddr(c.t, ip), udp: freeUDPAddr(c.t, ip), relay: freeAddr(c.t, ip),
		data: filepath.Join(c.t.TempDir(), name)}
}

// run starts a vigil process as node n with config, without waiting.
func (c *cluster) run(n *node, config string) *process {
	return startProcess(c.t, n.name, c.vigil, []string{"VIGIL_ADMIN_PASSWORD=" + adminPassword},
		"-config", config, "-node", n.name, "-http", n.http, "-data", n.data,
		"-webrtc-udp", n.udp, "-webrtc-tcp", "", "-relay", n.relay)
}

// start starts node name and waits until it answers /readyz with 200.
func (c *cluster) start(name string) *node {
	c.t.Helper()
	n := c.nodes[name]
	n.proc = c.run(n, c.config)
	testwait.For(c.t, name+" to be ready", func() bool {
		if n.proc.exited() {
			c.t.Fatalf("%s ended: %v\n%s", name, n.proc.err, n.proc.tail(30))
		}
		return status(n.base()+"/readyz") == 200
	})
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// firstLine returns the first line of s holding word, for messages.
func firstLine(s, word string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.Contains(sc.Text(), word) {
			return sc.Text()
		}
	}
	return ""
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }
