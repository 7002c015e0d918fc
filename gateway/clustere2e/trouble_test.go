package clustere2e

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/webrtc/webrtctest"
)

// checkSlowAndCutLink slows the link between the center and bjx-1's relay
// (50 ms each way, 2 Mbit/s), then resets its connections: the relayed
// viewer and the wall page's tiles at the center go on, then recover by
// themselves.
func checkSlowAndCutLink(t *testing.T, c *cluster, viewer *webrtctest.Receiver, wall *wallPage) {
	if c.link.open() == 0 {
		t.Fatal("the center's relay pull does not go through the link proxy")
	}
	c.link.Shape(50*time.Millisecond, 2_000_000/8)
	slowed := time.Now()
	key := resume(t, viewer, slowed, 50, "the relayed viewer over the slow link")
	t.Logf("slow link (50 ms, 2 Mbit/s): a keyframe %v after slowing, then 50 frames without a gap", key.Round(time.Millisecond))
	for round := range 2 {
		before := c.link.accepted.Load()
		cut := time.Now()
		n := c.link.Reset()
		testwait.For(t, "the center to pull bjx-1 again", func() bool { return c.link.accepted.Load() > before })
		pulled := time.Now()
		again := pulled.Sub(cut)
		resumed := pulled.Sub(cut) + resume(t, viewer, pulled, 25, "the relayed viewer after a cut link")
		t.Logf("cut %d: %d connections reset; the center pulled again after %v, the viewer had a keyframe after %v",
			round+1, n, again.Round(time.Millisecond), resumed.Round(time.Millisecond))
		if wall != nil {
			wall.decoding(t, 25, "the wall page after a cut link")
			t.Logf("cut %d: the wall page's tiles decode again %v after the cut", round+1, time.Since(cut).Round(time.Millisecond))
		}
	}
	c.link.Shape(0, 0)
}

// checkStoreOutage stops PostgreSQL for pgPause: live view goes on at the
// center (WHEP viewer and wall page), bjx-1 goes on recording, /readyz
// says why the nodes are not ready, relay views made during the outage
// are in the audit chain afterwards, and nobody took a camera from its
// owner.
func checkStoreOutage(t *testing.T, c *cluster, token string, viewer *webrtctest.Receiver, wall *wallPage) {
	pause := pgPause(t)
	bjx1, center := c.nodes["bjx-1"], c.nodes["center"]
	down := time.Now()
	must(t, c.pg.Pause())
	testwait.For(t, "/readyz on the center to say the store is down", func() bool {
		code, body := call("GET", center.base()+"/readyz", "", nil)
		return code == http.StatusServiceUnavailable && strings.Contains(string(body), "unreachable")
	})
	_, body := call("GET", center.base()+"/readyz", "", nil)
	t.Logf("PostgreSQL stopped: center /readyz after %v: %s", time.Since(down).Round(time.Millisecond), strings.TrimSpace(string(body)))
	// A view made during the outage: the center pulls bjx-1 again.
	before := c.link.accepted.Load()
	c.link.Reset()
	testwait.For(t, "the center to pull bjx-1 again during the outage", func() bool { return c.link.accepted.Load() > before })
	recorded := dirSize(t, filepath.Join(bjx1.data, "rec"))
	n := framesFor(t, viewer, down, pause, "the viewer during the outage")
	grown := dirSize(t, filepath.Join(bjx1.data, "rec")) - recorded
	if grown <= 0 {
		t.Fatalf("bjx-1 recorded nothing while PostgreSQL was down")
	}
	t.Logf("bjx-1 recorded %d kB while PostgreSQL was down", grown/1000)
	if wall != nil { // its session cannot be checked now: it must not log out
		wall.decoding(t, 25, "the wall page while PostgreSQL is down")
	}
	must(t, c.pg.Resume())
	up := time.Now()
	t.Logf("PostgreSQL back after %v; %d frames reached the viewer meanwhile", up.Sub(down).Round(time.Millisecond), n)
	for _, name := range []string{"bjx-1", "bjx-2", "bjn-1", "center"} {
		testwait.For(t, name+" ready again", func() bool { return status(c.nodes[name].base()+"/readyz") == http.StatusOK })
	}
	t.Logf("every node ready %v after PostgreSQL came back", time.Since(up).Round(time.Millisecond))
	// Right after the outage the leases read as lapsed until each owner
	// renewed; the owners must then be those of before.
	testwait.For(t, "the owners of before the outage", func() bool {
		return ownedBy(center.base(), token, "bjx-1", bjxCameras) && ownedBy(center.base(), token, "bjn-1", bjnCameras)
	})
	if l := c.nodes["bjx-2"].proc.lines("owning camera"); len(l) > 0 {
		t.Fatalf("bjx-2 took cameras during or after the outage: %v", l)
	}
	checkOutageAudited(t, bjx1, token, down, up)
}

// framesFor counts the frames that arrive in [from, from+d), failing
// when the stream stops for 10 s.
func framesFor(t *testing.T, rx *webrtctest.Receiver, from time.Time, d time.Duration, what string) int {
	t.Helper()
	end, n := from.Add(d), 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
		f, err := rx.Next(ctx, 0)
		cancel()
		if err != nil {
			t.Fatalf("%s: no frame for %v after %d: %v", what, testwait.Cap, n, err)
		}
		if !f.Arrived.Before(end) {
			return n
		}
		if !f.Arrived.Before(from) {
			n++
		}
	}
}

// checkOutageAudited finds, in the chain, the relay view the center
// started at bjx-1 during the outage. An entry bjx-1 dropped fails the
// check at once (an error, so the failover is still tried): keeping them
// is the audit spool's work (branch harden-audit).
func checkOutageAudited(t *testing.T, bjx1 *node, token string, from, to time.Time) {
	var found []string
	testwait.For(t, "bjx-1's audit entries of the outage in the chain, or a drop", func() bool {
		found = auditedBetween(bjx1.base(), token, from, to)
		return len(found) > 0 || len(auditLost(bjx1)) > 0
	})
	if len(found) == 0 {
		t.Errorf("audit entries made during the outage were lost: %v", auditLost(bjx1))
		return
	}
	t.Logf("audit entries made at bjx-1 during the outage, now in the chain: %v", found)
}

// auditedBetween returns the times of the relay views the center started
// at base between from and to, as the chain holds them.
func auditedBetween(base, token string, from, to time.Time) []string {
	q := url.Values{"user": {"center"}, "action": {"view.start"}, "limit": {"50"}}
	code, b := call("GET", base+"/api/audit?"+q.Encode(), token, nil)
	var out struct {
		Entries []struct{ Time string }
	}
	if code != http.StatusOK || json.Unmarshal(b, &out) != nil {
		return nil
	}
	var found []string
	for _, e := range out.Entries {
		at, err := time.Parse(time.RFC3339Nano, e.Time)
		if err == nil && !at.Before(from) && !at.After(to) {
			found = append(found, e.Time)
		}
	}
	return found
}

// auditLost returns the lines where n says it lost an audit entry.
func auditLost(n *node) []string {
	return append(n.proc.lines("audit: entry dropped"), n.proc.lines("audit: cannot write entry")...)
}

// dirSize is the size of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("recordings of bjx-1: %v", err)
	}
	return n
}
