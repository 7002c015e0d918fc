package gateway

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/sim"
	"vigil/streams/source"
)

// TestFeedFollowsOwnershipAndDemand runs the feed of one stream over real
// RTSP: "own" pulls the camera itself, "relay" stands for the owner's
// relay (another simulated camera, told apart by its picture size).
func TestFeedFollowsOwnershipAndDemand(t *testing.T) {
	cams, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"own", "relay"}, Width: 160, Height: 96})
	if err != nil {
		t.Fatal(err)
	}
	defer cams.Close()
	relayCam, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"relay"}, Width: 320, Height: 180})
	if err != nil {
		t.Fatal(err)
	}
	defer relayCam.Close()

	var f *feed
	h := hub.New(hub.Options{ID: "cam", OnDemand: func() { f.demand("cam") }})
	newSource := func(url string) *source.Source {
		src, err := source.New(source.Options{ID: "cam", URL: url, Transport: "tcp", Hub: h, MinBackoff: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	local := map[string]*source.Source{"cam": newSource(cams.URL("own"))}
	relays := 0
	f = newFeed(local, map[string]*hub.Hub{"cam": h}, func(string) *source.Source {
		relays++
		return newSource(relayCam.URL("relay"))
	}, 300*time.Millisecond)
	defer f.close()
	width := func() int { return h.Status().Track.Width }
	online := func(w int) func() bool {
		return func() bool { return h.Status().State == hub.StateOnline && width() == w }
	}

	f.own("cam")
	testwait.For(t, "the owned camera pulled itself", online(160))
	f.disown("cam")
	testwait.For(t, "the pull stopped with no reader", func() bool { return h.Status().State == hub.StateOffline })
	if f.relaying("cam") {
		t.Fatal("relaying a camera nobody watches")
	}

	r := h.NewReader() // a viewer here: relay it
	testwait.For(t, "the relay feeding the hub", online(320))
	if !f.relaying("cam") || f.isOwned("cam") {
		t.Fatal("not reported as relayed")
	}
	r.Close() // the last viewer left: it lingers, then stops
	testwait.For(t, "the relay stopped after the linger", func() bool { return !f.relaying("cam") })
	testwait.For(t, "the hub offline after the relay", func() bool { return h.Status().State == hub.StateOffline })

	r = h.NewReader()
	testwait.For(t, "relayed again", online(320))
	f.own("cam") // ownership comes back while watched: the camera itself, never both
	testwait.For(t, "pulled from the camera again", online(160))
	r.Close()
	if relays != 1 {
		t.Fatalf("%d relay sources made, want one reused", relays)
	}
}

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
			ResolveURL: func(context.Context) (string, error) { return owner.Load().(string), nil }})
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
