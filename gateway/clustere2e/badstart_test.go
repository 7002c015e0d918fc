package clustere2e

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/internal/testwait"
)

// checkBadStarts starts what must be refused and sees each refused
// clearly: a node name not in the config, a second process under a live
// name, an unreachable store; and a wrong cluster secret at a relay.
func checkBadStarts(t *testing.T, c *cluster) {
	refused := func(n *node, config, want string) {
		t.Helper()
		started := time.Now()
		p := c.run(n, config)
		if code := p.waitExit(t); code == 0 {
			t.Fatalf("%s started with %s: exit 0\n%s", n.name, config, p.output())
		}
		if !strings.Contains(p.output(), want) {
			t.Fatalf("%s: the refusal does not say %q:\n%s", n.name, want, p.tail(20))
		}
		t.Logf("%s refused after %v: %s", n.name, time.Since(started).Round(time.Millisecond), firstLine(p.output(), "vigil:"))
	}
	refused(c.spare("nobody"), c.config, "no such node")
	refused(c.spare("bjx-2"), c.config, "already")
	unreachable := filepath.Join(c.t.TempDir(), "unreachable")
	must(t, mkdir(unreachable))
	refused(c.spare("center"), c.writeConfig(unreachable, "postgres://vigil@"+freeAddr(t, "127.0.0.1")+"/vigil?sslmode=disable"),
		"database")
	checkWrongSecret(t, c.nodes["bjx-1"])
}

// checkWrongSecret asks bjx-1's relay for a camera as another node with a
// wrong secret: 401, and the refusal logged without the secret.
func checkWrongSecret(t *testing.T, n *node) {
	const wrong = "not-the-cluster-secret"
	conn, err := net.Dial("tcp", n.relay)
	must(t, err)
	defer conn.Close()
	auth := base64.StdEncoding.EncodeToString([]byte("center:" + wrong))
	fmt.Fprintf(conn, "DESCRIBE rtsp://%s/%s RTSP/1.0\r\nCSeq: 1\r\nAuthorization: Basic %s\r\n\r\n", n.relay, bjxCameras[0], auth)
	line, err := bufio.NewReader(conn).ReadString('\n')
	must(t, err)
	if !strings.HasPrefix(line, "RTSP/1.0 401") {
		t.Fatalf("a wrong cluster secret at the relay: %q, want 401", line)
	}
	testwait.For(t, "bjx-1 to log the refusal", func() bool {
		return len(n.proc.lines("relay: credentials refused", "user=center")) > 0
	})
	if strings.Contains(n.proc.output(), wrong) {
		t.Fatal("bjx-1 logged the wrong secret")
	}
	t.Logf("wrong secret: %s; logged: %s", strings.TrimSpace(line), n.proc.lines("relay: credentials refused")[0])
}
