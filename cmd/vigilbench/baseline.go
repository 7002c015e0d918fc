package main

import (
	"context"
	"sync"
	"time"

	"vigil/streams/rtsp"
)

// baseline pulls every camera over RTSP in this process too, next to the
// gateway, and notes when each tagged frame arrived. A viewer's frame
// minus the same frame's direct arrival is the latency the gateway adds:
// what the simulated cameras and the RTSP hop cost themselves (the
// keyframes' pacing, simultaneous keyframes of many cameras) cancels out.
type baseline struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	cams   []*baselineCam
}

// baselineCam is one camera's recent arrivals, by frame counter.
type baselineCam struct {
	mu   sync.Mutex
	ring [256]struct {
		frame uint64
		at    time.Time
	}
	lat []time.Duration // direct latency, while counting
	m   *meter
}

func startBaseline(cams *cameras, n int, m *meter) *baseline {
	ctx, cancel := context.WithCancel(context.Background())
	b := &baseline{cancel: cancel}
	for i := range n {
		bc := &baselineCam{m: m}
		b.cams = append(b.cams, bc)
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			for ctx.Err() == nil {
				_ = rtsp.Play(ctx, rtsp.ClientOptions{URL: cams.URL(i), Transport: "tcp",
					ConnectTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}, bc)
				sleep(ctx, time.Second)
			}
		}()
	}
	return b
}

func (bc *baselineCam) OnDescribe(rtsp.Description)        {}
func (bc *baselineCam) OnAudio([][]byte, int64, time.Time) {}
func (bc *baselineCam) OnDecodeError(error)                {}

func (bc *baselineCam) OnAccessUnit(nalus [][]byte, _ int64, at time.Time) {
	for _, n := range nalus {
		if len(n) == 0 || n[0]&nalTypeMask != seiTypeNAL {
			continue
		}
		t, err := parseSEI(n)
		if err != nil {
			continue
		}
		bc.mu.Lock()
		e := &bc.ring[t.Frame%uint64(len(bc.ring))]
		e.frame, e.at = t.Frame, at
		if bc.m.counting() {
			bc.lat = append(bc.lat, at.Sub(t.Sent))
		}
		bc.mu.Unlock()
		return
	}
}

// arrived returns when frame reached this process directly.
func (bc *baselineCam) arrived(frame uint64) (time.Time, bool) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	e := bc.ring[frame%uint64(len(bc.ring))]
	return e.at, e.frame == frame && !e.at.IsZero()
}

// take returns and resets the direct latencies counted so far.
func (b *baseline) take() []time.Duration {
	var out []time.Duration
	for _, bc := range b.cams {
		bc.mu.Lock()
		out = append(out, bc.lat...)
		bc.lat = nil
		bc.mu.Unlock()
	}
	return out
}

// added is the gateway's share of a frame's latency, when the frame's
// direct arrival is known.
func (b *baseline) added(camera uint32, frame uint64, at time.Time) (time.Duration, bool) {
	if b == nil || int(camera) >= len(b.cams) {
		return 0, false
	}
	direct, ok := b.cams[camera].arrived(frame)
	return at.Sub(direct), ok
}

func (b *baseline) close() {
	if b == nil {
		return
	}
	b.cancel()
	b.wg.Wait()
}
