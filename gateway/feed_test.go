package gateway

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/sim"
	"vigil/streams/source"
)

// TestFeedRepointsARelayAtOnce: a relay pull that failed against an owner
// that died waits out its backoff (an hour here); when the camera gets a
// new owner, repoint starts it again at once, from the new owner's relay.
func TestFeedRepointsARelayAtOnce(t *testing.T) {
	cams, err := sim.NewServer(sim.ServerOptions{Names: []string{"cam0"}, Width: 160, Height: 96})
	if err != nil {
		t.Fatal(err)
	}
	defer cams.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "rtsp://" + ln.Addr().String() + "/cam0" // the former owner: nothing listens
	ln.Close()
	var owner atomic.Value
	owner.Store(dead)

	var f *feed
	h := hub.New(hub.Options{ID: "cam0", OnDemand: func() { f.demand("cam0") }})
	var src atomic.Pointer[source.Source]
	relay := func(path string) *source.Source {
		s, err := source.New(source.Options{ID: path + "@relay", Hub: h, Transport: "tcp",
			MinBackoff: time.Hour, MaxBackoff: time.Hour,
			ResolveURL: func() (string, error) { return owner.Load().(string), nil }})
		if err != nil {
			t.Error(err)
		}
		src.Store(s)
		return s
	}
	f = newFeed(nil, map[string]*hub.Hub{"cam0": h}, relay, time.Hour)
	defer f.close()
	r := h.NewReader()
	defer r.Close()

	testwait.For(t, "the pull to fail against the dead owner", func() bool {
		s := src.Load()
		return s != nil && s.Counters().Attempts >= 1 && h.Status().State == hub.StateOffline
	})
	owner.Store(cams.URL("cam0"))
	f.repoint("cam0")
	testwait.For(t, "the relay to pull from the new owner", func() bool { return h.Status().State == hub.StateOnline })
	if n := src.Load().Counters().Attempts; n != 2 {
		t.Fatalf("%d attempts, want the failed one and the repointed one", n)
	}
}
