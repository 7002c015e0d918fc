package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"vigil/streams/webrtc/webrtctest"
)

// runWHEP: N cameras, one WHEP viewer each; reports the gateway's CPU and
// memory and the frames every viewer received.
func runWHEP(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("whep", flag.ExitOnError)
	var c commonFlags
	c.register(fs)
	quality := fs.String("quality", "main", "main or sub")
	fs.Parse(args)

	tb, token, err := startLoggedIn(ctx, c)
	if err != nil {
		return err
	}
	defer tb.close()
	viewers := make([]*webrtctest.Receiver, 0, c.cameras)
	defer func() {
		for _, v := range viewers {
			v.Close()
		}
	}()
	for i := 0; i < c.cameras; i++ {
		v, err := openWHEP(tb.url, token, fmt.Sprintf("bench-%02d", i), *quality)
		if err != nil {
			return err
		}
		viewers = append(viewers, v)
	}
	// Warm up: every viewer playing.
	for i, v := range viewers {
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, err := v.Next(wctx, 0)
		cancel()
		if err != nil {
			return fmt.Errorf("viewer %d: %w", i, err)
		}
	}
	counts := make([]int, len(viewers))
	pid := tb.vigil.Process.Pid
	cpu0, _ := cpuSeconds(pid)
	start := time.Now()
	deadline := time.After(c.duration)
	gaps := 0
collect:
	for {
		for i, v := range viewers {
			select {
			case f := <-v.Frames():
				counts[i]++
				if f.Gap {
					gaps++
				}
			default:
			}
		}
		select {
		case <-deadline:
			break collect
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	elapsed := time.Since(start).Seconds()
	cpu1, _ := cpuSeconds(pid)
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Printf("whep: %d cameras × 1 viewer (%s stream), %.0f s\n", c.cameras, *quality, elapsed)
	fmt.Printf("  gateway CPU: %.1f %% of one core (%.3f core-seconds per camera-second)\n",
		100*(cpu1-cpu0)/elapsed, (cpu1-cpu0)/elapsed/float64(c.cameras))
	fmt.Printf("  gateway RSS: %.0f MB\n", rssMB(pid))
	fmt.Printf("  frames received: %.1f fps per viewer on average; frames after a gap: %d\n",
		float64(total)/elapsed/float64(len(viewers)), gaps)
	return nil
}
