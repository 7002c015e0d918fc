package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// liveGap separates the cached-GOP burst from live frames: burst frames
// arrive back to back, live ones every 40 ms at 25 fps.
const liveGap = 20 * time.Millisecond

// switchResult is one tile switch as the console saw it.
type switchResult struct {
	first  time.Duration // assign sent → first frame (the keyframe) of the new camera
	live   time.Duration // assign sent → last burst frame: the tile is at the live edge
	burst  int           // frames in the burst
	played bool          // the gateway reported the tile playing the new camera
}

// runTiles: one console with -tiles tiles playing on one peer connection;
// tile 0 is switched -switches times between cameras. Reports the time to
// the new camera's first frame and to live pace. vigil only: it drives the
// console's WebSocket.
func (b *bench) runTiles(ctx context.Context, tiles, switches int) error {
	o := b.opts
	n := max(o.Cameras, 2)
	if tiles < 1 || tiles > 25 {
		return errors.New("need -tiles 1..25")
	}
	if o.URL != "" {
		return errors.New("tiles drives vigil's console: it cannot run against -url")
	}
	camAddr := freeAddr("tcp")
	g, err := startVigil(ctx, b.bin, camAddr, n, o.Record, o.Diagnosis)
	if err != nil {
		return err
	}
	defer g.close()
	cams, err := startCameras(cameraOptions{Listen: camAddr, Count: n, Width: o.Width, Height: o.Height,
		FPS: o.FPS, Bitrate: o.Bitrate, GOP: o.GOP, Encoder: o.Encoder})
	if err != nil {
		return err
	}
	defer cams.close()
	if err := g.waitOnline(ctx, n, time.Minute); err != nil {
		return err
	}
	con, err := openConsole(ctx, g.base, g.token)
	if err != nil {
		return err
	}
	defer con.close()
	for tile := 0; tile < tiles; tile++ {
		if err := con.send(map[string]any{"type": "assign", "tile": tile, "camera": camName(tile % n)}); err != nil {
			return err
		}
	}
	if err := warmUp(ctx, con, 20*time.Second); err != nil {
		return err
	}

	var results []switchResult
	current := 0
	for i := 0; i < switches; i++ {
		// A random pause puts each switch at another point of the new
		// camera's GOP, so the bursts range from 1 frame to a whole GOP.
		if err := drainFor(ctx, con, time.Duration(500+rand.IntN(1000))*time.Millisecond); err != nil {
			return err
		}
		current = (current + 1 + rand.IntN(n-1)) % n
		r, err := measureSwitch(ctx, con, camName(current))
		if err != nil {
			return fmt.Errorf("switch %d to %s: %w", i, camName(current), err)
		}
		results = append(results, r)
	}
	report(results, con.renegotiations(), tiles, n, o)
	return nil
}

// warmUp waits for a frame on tile 0.
func warmUp(ctx context.Context, con *console, within time.Duration) error {
	deadline := time.After(within)
	for {
		select {
		case f := <-con.rx.Frames():
			if f.Track == 0 && f.IsKey() {
				return drainFor(ctx, con, 2*time.Second)
			}
		case <-deadline:
			return errors.New("tile 0 did not start playing")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// drainFor reads and drops frames for d.
func drainFor(ctx context.Context, con *console, d time.Duration) error {
	end := time.After(d)
	for {
		select {
		case <-con.rx.Frames():
		case <-end:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// measureSwitch assigns camera to tile 0 and times its first frame and the
// end of its burst. The old camera's frames still in flight are P-frames;
// the new camera starts with its cached keyframe.
func measureSwitch(ctx context.Context, con *console, camera string) (switchResult, error) {
	var r switchResult
	sent := time.Now()
	if err := con.send(map[string]any{"type": "assign", "tile": 0, "camera": camera}); err != nil {
		return r, err
	}
	timeout := time.After(10 * time.Second)
	var last time.Time
	for {
		select {
		case f := <-con.rx.Frames():
			if f.Track != 0 {
				continue
			}
			if last.IsZero() {
				if !f.IsKey() {
					continue
				}
				r.first, last, r.burst = f.Arrived.Sub(sent), f.Arrived, 1
				continue
			}
			if f.Arrived.Sub(last) >= liveGap {
				r.live = last.Sub(sent)
				_, err := con.wait(ctx, 2*time.Second, func(m map[string]any) bool {
					return m["type"] == "tile" && m["tile"] == float64(0) && m["camera"] == camera && m["state"] == "playing"
				})
				r.played = err == nil
				return r, nil
			}
			last = f.Arrived
			r.burst++
		case <-timeout:
			return r, errors.New("no frame of the new camera within 10 s")
		case <-ctx.Done():
			return r, ctx.Err()
		}
	}
}

func report(rs []switchResult, renegotiations, tiles, cameras int, o options) {
	var first, live []time.Duration
	var bursts []int
	played := 0
	for _, r := range rs {
		first, live, bursts = append(first, r.first), append(live, r.live), append(bursts, r.burst)
		if r.played {
			played++
		}
	}
	fmt.Printf("tiles: %d switches of tile 0, %d tiles on one peer connection, %d cameras, GOP %d frames (%.1f s)\n",
		len(rs), tiles, cameras, o.GOP, float64(o.GOP)/float64(o.FPS))
	fmt.Printf("  assign → first frame of the new camera: p50 %v, p95 %v, max %v\n", pct(first, 50), pct(first, 95), pct(first, 100))
	fmt.Printf("  assign → live pace (burst sent):        p50 %v, p95 %v, max %v\n", pct(live, 50), pct(live, 95), pct(live, 100))
	sort.Ints(bursts)
	fmt.Printf("  burst frames (cached GOP): p50 %d, p95 %d, max %d\n",
		bursts[len(bursts)/2], bursts[(len(bursts)*95+99)/100-1], bursts[len(bursts)-1])
	fmt.Printf("  gateway reported playing: %d of %d; renegotiations: %d\n", played, len(rs), renegotiations)
}

// pct returns the p-th percentile (nearest rank), rounded for printing.
func pct(ds []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p+99)/100 - 1
	return s[max(0, i)].Round(100 * time.Microsecond)
}
