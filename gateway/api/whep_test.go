package api

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"

	"vigil/gateway/audit"
	"vigil/internal/testwait"
	"vigil/streams/webrtc"
	"vigil/streams/webrtc/webrtctest"
)

// orderLog records what happened, in order, from any goroutine.
type orderLog struct {
	mu     sync.Mutex
	events []string
}

func (o *orderLog) add(e string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, e)
}

func (o *orderLog) Record(_ context.Context, e audit.Entry) { o.add(e.Action) }

func (o *orderLog) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.events, ", ")
}

// TestCloseWaitsForAViewEndingMeanwhile: a viewer hangs up just before
// the gateway closes, and its playback's stop (ffmpeg exiting) takes a
// while. Close must not return before that view's view.end is recorded:
// the gateway closes its audit log right after, and a later entry would
// miss the database (CI saw it land in the data dir being deleted).
func TestCloseWaitsForAViewEndingMeanwhile(t *testing.T) {
	events := &orderLog{}
	s := New(Options{Audit: events})
	e, err := webrtc.NewEngine(webrtc.EngineOptions{UDPAddr: "127.0.0.1:0", LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rx, offer, err := webrtctest.NewReceiver(1)
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()

	stopping, stopped := make(chan struct{}), make(chan struct{})
	ws := &whepSession{id: "s1", user: "op", camera: "cam", viewing: true, release: func() {},
		stop: func() { close(stopping); <-stopped }}
	sess, _, err := e.NewSession(context.Background(), webrtc.SessionOptions{Offer: offer, OnClose: func() { s.whepEnded(ws) }})
	if err != nil {
		t.Fatal(err)
	}
	ws.session = sess
	s.whep.add(ws)

	go sess.Close() // the viewer hung up: its session ends in a goroutine of pion's
	<-stopping
	closed := make(chan struct{})
	go func() {
		s.Close()
		events.add("closed")
		close(closed)
	}()
	// The playback's stop ends once Close has returned (the defect) or is
	// waiting for this session.
	testwait.For(t, "Close to return or to wait for the ending session", func() bool {
		select {
		case <-closed:
			return true
		default:
			return closeAllWaiting()
		}
	})
	close(stopped)
	<-closed
	if got := events.String(); got != audit.ActionViewEnd+", closed" {
		t.Fatalf("events %q: the view.end was recorded after Close returned", got)
	}
}

// closeAllWaiting reports whether a goroutine is inside closeAll.
func closeAllWaiting() bool {
	buf := make([]byte, 1<<20)
	return strings.Contains(string(buf[:runtime.Stack(buf, true)]), "(*whepSessions).closeAll")
}
