package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Cluster makes several vigil processes one platform: they share their
// state in PostgreSQL, each station's cameras are owned by one of the
// station's nodes at a time, and every node serves every camera. Without
// it vigil is a single node with embedded SQLite. See DESIGN.md "Cluster".
type Cluster struct {
	Store      string `yaml:"store"`       // postgres:// URL of the shared database
	StoreFile  string `yaml:"store_file"`  // or a file holding that URL (a mounted secret)
	SecretFile string `yaml:"secret_file"` // shared secret of the nodes, for the relay
	Nodes      []Node `yaml:"nodes"`
}

// Node is one vigil process of a cluster.
type Node struct {
	Name  string `yaml:"name"`  // given to the process with -node / VIGIL_NODE
	API   string `yaml:"api"`   // its HTTP base URL, as other nodes reach it
	Relay string `yaml:"relay"` // host:port of its RTSP relay
}

// Enabled reports whether the config has a cluster section.
func (c Cluster) Enabled() bool {
	return c.Store != "" || c.StoreFile != "" || c.SecretFile != "" || len(c.Nodes) > 0
}

// Node returns the node called name.
func (c Cluster) Node(name string) (Node, bool) {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return Node{}, false
}

// StoreURL returns the database URL, read from StoreFile when given there.
func (c Cluster) StoreURL() (string, error) {
	if c.StoreFile == "" {
		return c.Store, nil
	}
	return readSecretFile("cluster.store_file", c.StoreFile)
}

// Secret returns the nodes' shared secret from SecretFile.
func (c Cluster) Secret() (string, error) {
	s, err := readSecretFile("cluster.secret_file", c.SecretFile)
	if err == nil && len(s) < 16 {
		return "", fmt.Errorf("cluster.secret_file %s: the secret must be at least 16 characters", c.SecretFile)
	}
	return s, err
}

// readSecretFile reads a one-line secret as Kubernetes mounts them; the
// trailing newline editors add is not part of it.
func readSecretFile(key, path string) (string, error) {
	s, err := readSecret(path)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", key, path, err)
	}
	return s, nil
}

func (k *checker) cluster(c Cluster, stations []Station) {
	if !c.Enabled() {
		for i, s := range stations {
			if len(s.Nodes) > 0 {
				k.add(fmt.Sprintf("stations[%d].nodes", i), "", "needs a cluster section")
			}
		}
		return
	}
	switch {
	case c.Store == "" && c.StoreFile == "":
		k.add("cluster", "", "store or store_file is required (the nodes' shared PostgreSQL database)")
	case c.Store != "" && c.StoreFile != "":
		k.add("cluster.store", "", "give store or store_file, not both")
	case c.Store != "" && !isPostgresURL(c.Store):
		// Never echo the value: it may hold the database password.
		k.add("cluster.store", "", "must be a postgres:// or postgresql:// URL")
	}
	if c.SecretFile == "" {
		k.add("cluster.secret_file", "", "is required (the secret the nodes share for the relay)")
	}
	k.nodes(c.Nodes)
	k.stationNodes(c, stations)
}

func (k *checker) nodes(nodes []Node) {
	if len(nodes) == 0 {
		k.add("cluster.nodes", "", "at least one node is required")
	}
	seen := map[string]string{}
	for i, n := range nodes {
		p := fmt.Sprintf("cluster.nodes[%d]", i)
		k.id(p+".name", n.Name, seen)
		if u, err := url.Parse(n.API); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			k.add(p+".api", n.API, "must be an http:// or https:// URL")
		}
		if _, port, err := net.SplitHostPort(n.Relay); err != nil || port == "" {
			k.add(p+".relay", n.Relay, "must be host:port")
		}
	}
}

// stationNodes checks that every station with cameras names the nodes that
// may own them, and that each node serves one station at most: a node is
// placed near one station's camera network.
func (k *checker) stationNodes(c Cluster, stations []Station) {
	owner := map[string]string{} // node → station
	for i, s := range stations {
		p := fmt.Sprintf("stations[%d].nodes", i)
		if len(s.Nodes) == 0 && len(s.Cameras) > 0 {
			k.add(p, "", "station %s has cameras: list the nodes that own them", s.ID)
		}
		for j, name := range s.Nodes {
			np := fmt.Sprintf("%s[%d]", p, j)
			if _, ok := c.Node(name); !ok {
				k.add(np, name, "no such node in cluster.nodes")
				continue
			}
			if other, dup := owner[name]; dup {
				k.add(np, name, "node already serves station %s", other)
				continue
			}
			owner[name] = s.ID
		}
	}
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}
