package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"time"
)

// runIngest: N cameras pulled (main and sub), no viewers; reports the
// gateway's CPU and memory and how many cameras are online.
func runIngest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ExitOnError)
	var c commonFlags
	c.register(fs)
	fs.Parse(args)

	tb, token, err := startLoggedIn(ctx, c)
	if err != nil {
		return err
	}
	defer tb.close()
	online, err := waitOnline(ctx, tb.url, token, c.cameras, time.Minute)
	if err != nil {
		return err
	}
	pid := tb.vigil.Process.Pid
	cpu0, _ := cpuSeconds(pid)
	start := time.Now()
	select {
	case <-time.After(c.duration):
	case <-ctx.Done():
		return ctx.Err()
	}
	elapsed := time.Since(start).Seconds()
	cpu1, _ := cpuSeconds(pid)
	fmt.Printf("ingest: %d cameras (main + sub, %d RTSP sessions), recording %v, %.0f s; %d online\n",
		c.cameras, 2*c.cameras, c.record, elapsed, online)
	fmt.Printf("  gateway CPU: %.1f %% of one core (%.2f %% per camera)\n",
		100*(cpu1-cpu0)/elapsed, 100*(cpu1-cpu0)/elapsed/float64(c.cameras))
	fmt.Printf("  gateway RSS: %.0f MB (%.2f MB per camera)\n", rssMB(pid), rssMB(pid)/float64(c.cameras))
	return nil
}

// waitOnline polls the stations API until n cameras are online.
func waitOnline(ctx context.Context, base, token string, n int, within time.Duration) (int, error) {
	deadline := time.Now().Add(within)
	online := 0
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/stations", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		var body struct {
			Stations []struct {
				Cameras []struct{ State string } `json:"cameras"`
			} `json:"stations"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		online = 0
		for _, st := range body.Stations {
			for _, cam := range st.Cameras {
				if cam.State == "online" {
					online++
				}
			}
		}
		if online == n {
			return online, nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return online, fmt.Errorf("%d of %d cameras online after %v", online, n, within)
}
