package clustere2e

import (
	"regexp"
	"syscall"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/webrtc/webrtctest"
)

// checkFailover kills bjx-1: bjx-2 owns its cameras within a lease
// period, the relayed viewer at the center resumes by itself from a
// keyframe; bjx-1 restarted neither takes the cameras back nor pulls
// them beside bjx-2.
func checkFailover(t *testing.T, c *cluster, token string, viewer *webrtctest.Receiver, wall *wallPage) {
	bjx1, center := c.nodes["bjx-1"], c.nodes["center"]
	killed := time.Now()
	must(t, bjx1.proc.cmd.Process.Signal(syscall.SIGKILL))
	<-bjx1.proc.done
	var expired time.Time // when bjx-1's last lease on the camera ran out, as the center saw it
	testwait.For(t, "bjx-2 to own 北京西站's cameras", func() bool {
		if exp, ok := leaseExpiry(center.base(), token, bjxCameras[0], "bjx-1"); ok {
			expired = exp
		}
		return ownedBy(center.base(), token, "bjx-2", bjxCameras)
	})
	ownedAt := time.Now()
	owned := ownedAt.Sub(killed)
	bjx2 := c.nodes["bjx-2"]
	testwait.For(t, "bjx-2 to pull them", func() bool {
		return len(bjx2.proc.lines("owning camera: pulling and recording it here", bjxCameras[0])) > 0 &&
			len(bjx2.proc.lines("owning camera: pulling and recording it here", bjxCameras[1])) > 0
	})
	back := afterOutage(t, viewer, killed, ownedAt, 25, "the relayed viewer after bjx-1 died")
	if !back.IsKey() {
		t.Fatalf("the first frame after the failover has NAL types %v, want SPS, PPS and IDR", back.NALTypes())
	}
	resumed := back.Arrived.Sub(killed)
	if wall != nil {
		wall.decoding(t, 25, "the wall page after bjx-1 died")
		t.Logf("the wall page's tiles decode again, same peer connection, %v after the kill", time.Since(killed).Round(time.Millisecond))
	}
	took := logTime(t, bjx2.proc.lines("owning camera: pulling and recording it here", bjxCameras[0])[0]).Sub(killed)
	t.Logf("SIGKILL bjx-1: bjx-2 owned and pulled %s %v after the kill (its log); bjx-1's lease on it ran out %v after the kill",
		bjxCameras[0], took.Round(time.Millisecond), expired.Sub(killed).Round(time.Millisecond))
	t.Logf("SIGKILL bjx-1: the center saw bjx-2 own its cameras after %v (issue: ≤ 10 s); the viewer resumed, keyframe first, %v after the kill",
		owned.Round(time.Millisecond), resumed.Round(time.Millisecond))

	restarted := time.Now()
	c.start("bjx-1")
	// bjx-1 decides on an expired lease only once it has watched the store
	// for a whole lease period: wait for its heartbeats to outlast that.
	testwait.For(t, "bjx-1 to watch for more than a lease period", func() bool {
		v, ok := clusterOf(bjx1.base(), token)
		for _, n := range v.Nodes {
			if ok && n.Name == "bjx-1" && n.Heartbeat.After(restarted.Add(12*time.Second)) {
				return true
			}
		}
		return false
	})
	if !ownedBy(bjx1.base(), token, "bjx-2", bjxCameras) || !ownedBy(center.base(), token, "bjx-2", bjxCameras) {
		t.Fatalf("after bjx-1's restart: owners %v", owners(bjx1.base(), token))
	}
	if l := bjx1.proc.lines("owning camera"); len(l) > 0 {
		t.Fatalf("bjx-1 restarted pulls cameras bjx-2 holds: %v", l)
	}
	t.Logf("bjx-1 restarted and watched %v: bjx-2 keeps the cameras, bjx-1 pulls none", time.Since(restarted).Round(time.Millisecond))
}

// logTime returns the time= of a vigil log line.
func logTime(t *testing.T, line string) time.Time {
	t.Helper()
	m := regexp.MustCompile(`time=(\S+)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no time in %q", line)
	}
	at, err := time.Parse(time.RFC3339Nano, m[1])
	must(t, err)
	return at
}

// leaseExpiry returns when node's lease on camera runs out, as base sees
// it (a lapsed lease shows no owner); ok is false when base shows
// another owner.
func leaseExpiry(base, token, camera, node string) (time.Time, bool) {
	v, _ := clusterOf(base, token)
	for _, c := range v.Cameras {
		if c.Camera == camera && (c.Node == node || c.Node == "") && !c.ExpiresAt.IsZero() {
			return c.ExpiresAt, true
		}
	}
	return time.Time{}, false
}
