package relay

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"vigil/streams/hub"
)

// BenchmarkRelayLatency measures what the relay adds to each live frame
// on loopback: from the frame's arrival in the owner's hub to its arrival
// in the pulling node's hub (relay server, RTSP over TCP, depacketizing
// and normalizing again). "e2e" is from the camera's send time (tagged in
// the SEI) to the pulling hub. One op is one frame of a 100 fps camera.
//
//	go test -run X -bench RelayLatency -benchtime 1000x ./streams/relay/
func BenchmarkRelayLatency(b *testing.B) {
	r := newRig(b, rigOptions{fps: 100, gop: 100})
	owned := newArrivals()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	ownerReader := r.owner.NewReader()
	defer ownerReader.Close()
	wg.Go(func() { owned.collect(ctx, ownerReader) })

	hubs, release := r.pull(b, testCamera)
	defer release()
	local := hubs.Video.NewReader()
	defer local.Close()
	waitStatus(b, hubs.Video, hub.StateOnline, "")

	relayed := make([]time.Duration, 0, b.N)
	e2e := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for len(relayed) < b.N {
		d, err := local.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if d.Burst { // cached frames from the past: not live latency
			continue
		}
		for _, au := range d.Units {
			n := frameOf(au)
			if at, ok := owned.wait(n); ok {
				relayed = append(relayed, au.Received.Sub(at))
			}
			if sent, ok := r.sentAt(n); ok {
				e2e = append(e2e, au.Received.Sub(sent))
			}
		}
	}
	b.StopTimer()
	report(b, "relay", relayed)
	report(b, "e2e", e2e)
}

func report(b *testing.B, name string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	p50, p99 := d[len(d)/2], d[len(d)*99/100]
	b.ReportMetric(float64(p50.Microseconds()), name+"-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), name+"-p99-µs")
	b.Logf("%s latency over %d frames: p50 %v, p99 %v, max %v", name, len(d), p50, p99, d[len(d)-1])
}

// arrivals records when each tagged frame reached a hub.
type arrivals struct {
	mu   sync.Mutex
	cond *sync.Cond
	at   map[int64]time.Time
	done bool
}

func newArrivals() *arrivals {
	a := &arrivals{at: make(map[int64]time.Time)}
	a.cond = sync.NewCond(&a.mu)
	return a
}

// collect records r's units until ctx ends.
func (a *arrivals) collect(ctx context.Context, r *hub.Reader) {
	defer func() {
		a.mu.Lock()
		a.done = true
		a.cond.Broadcast()
		a.mu.Unlock()
	}()
	for {
		d, err := r.Read(ctx)
		if err != nil {
			return
		}
		a.mu.Lock()
		for _, au := range d.Units {
			a.at[frameOf(au)] = au.Received
		}
		a.cond.Broadcast()
		a.mu.Unlock()
	}
}

// wait returns when frame n reached the hub; the owner's reader may be a
// moment behind the relay's.
func (a *arrivals) wait(n int64) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for !a.done && a.at[n].IsZero() {
		a.cond.Wait()
	}
	at, ok := a.at[n]
	return at, ok
}
