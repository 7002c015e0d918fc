package clustere2e

import (
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
func checkFailover(t *testing.T, c *cluster, token string, viewer *webrtctest.Receiver) {
	bjx1, center := c.nodes["bjx-1"], c.nodes["center"]
	killed := time.Now()
	must(t, bjx1.proc.cmd.Process.Signal(syscall.SIGKILL))
	<-bjx1.proc.done
	testwait.For(t, "bjx-2 to own 北京西站's cameras", func() bool { return ownedBy(center.base(), token, "bjx-2", bjxCameras) })
	owned := time.Since(killed)
	bjx2 := c.nodes["bjx-2"]
	testwait.For(t, "bjx-2 to pull them", func() bool {
		return len(bjx2.proc.lines("owning camera: pulling and recording it here", bjxCameras[0])) > 0 &&
			len(bjx2.proc.lines("owning camera: pulling and recording it here", bjxCameras[1])) > 0
	})
	resume(t, viewer, 25, "the relayed viewer after bjx-1 died")
	t.Logf("SIGKILL bjx-1: the center saw bjx-2 own its cameras after %v (issue: ≤ 10 s); the viewer resumed, keyframe first, %v after the kill",
		owned.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

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
