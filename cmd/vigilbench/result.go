package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// dist summarises durations in milliseconds.
type dist struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func newDist(ds []time.Duration) dist {
	if len(ds) == 0 {
		return dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(math.Ceil(float64(len(s))*p/100)) - 1
		return ms(s[max(0, min(i, len(s)-1))])
	}
	return dist{N: len(s), P50: at(50), P95: at(95), P99: at(99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// result is one scenario's figures: a table row and a JSON object.
type result struct {
	Scenario  string  `json:"scenario"`
	Gateway   string  `json:"gateway"`
	Cameras   int     `json:"cameras"`
	Viewers   int     `json:"viewers"` // in total
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	FPS       int     `json:"fps"`
	Bitrate   int     `json:"bitrate_kbps"`
	GOP       int     `json:"gop_frames"`
	Encoder   string  `json:"encoder"`
	WindowS   float64 `json:"window_s"`
	CPUCores  float64 `json:"cpu_cores"`
	RSSMB     float64 `json:"rss_mb"`
	RSSBaseMB float64 `json:"rss_before_cameras_mb"`
	RSSCamMB  float64 `json:"rss_cameras_no_viewers_mb"`
	PerCamMB  float64 `json:"rss_per_camera_mb"`
	// Released: the increments were measured after the gateway returned
	// its free memory to the OS (vigil); otherwise they are raw RSS.
	Released   bool    `json:"increments_released"`
	PerViewMB  float64 `json:"rss_per_viewer_mb,omitempty"`
	Latency    dist    `json:"latency"`
	KeyLatency dist    `json:"latency_keyframes"`
	// Added is the viewers' latency less the same frames' direct RTSP
	// arrival in this process (-baseline); Direct is that direct latency.
	Added  dist `json:"latency_added"`
	Direct dist `json:"latency_direct_rtsp"`
	TTFF   dist `json:"ttff"`
	// The steps to the first frame: the WHEP answer, the connection up.
	TTFFAnswer    dist `json:"ttff_answer"`
	TTFFConnected dist `json:"ttff_connected"`

	Lost       uint64  `json:"frames_lost"`
	Damaged    int     `json:"frames_damaged"`
	Untagged   int     `json:"frames_untagged"`
	Frames     int     `json:"frames"`
	FPSViewer  float64 `json:"fps_per_viewer"`
	FPSMin     float64 `json:"fps_min_viewer,omitempty"`
	CameraFPS  float64 `json:"fps_per_camera_sent"` // what the cameras sent: below -fps, this process was starved
	ToolCores  float64 `json:"tool_cpu_cores"`
	OtherCores float64 `json:"other_cpu_cores"` // the rest of the machine during the window
	Goroutines int     `json:"goroutines,omitempty"`
	Threads    int     `json:"threads"`
	// Soak: one sample per interval.
	Samples     []soakSample `json:"samples,omitempty"`
	SoakVerdict string       `json:"soak_verdict,omitempty"`
	Warnings    []string     `json:"warnings,omitempty"`

	ttff, ttffAnswer, ttffConnected []time.Duration
}

// soakSample is one interval of a soak run.
type soakSample struct {
	AtS        float64 `json:"at_s"`
	RSSMB      float64 `json:"rss_mb"`
	Goroutines int     `json:"goroutines"`
	CPUCores   float64 `json:"cpu_cores"`
	P99        float64 `json:"latency_p99_ms"`
	Lost       uint64  `json:"frames_lost"`
}

const tableHeader = "scenario  gateway   cams×view  cpu cores  RSS MB (/cam, /viewer)   latency ms p50/p95/p99/max  added p50/p95/p99  TTFF ms p50/p95/max  lost dmg  fps/viewer        tool cores"

func (r *result) row() string {
	views := 0
	if r.Cameras > 0 {
		views = r.Viewers / r.Cameras
	}
	rss := fmt.Sprintf("%.0f (%.2f", r.RSSMB, r.PerCamMB)
	if r.Viewers > 0 {
		rss += fmt.Sprintf(", %.2f)", r.PerViewMB)
	} else {
		rss += ")"
	}
	lat, added, ttff, fps := "-", "-", "-", "-"
	if r.Latency.N > 0 {
		lat = fmt.Sprintf("%.1f/%.1f/%.1f/%.1f", r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.Max)
	}
	if r.Added.N > 0 {
		added = fmt.Sprintf("%.1f/%.1f/%.1f", r.Added.P50, r.Added.P95, r.Added.P99)
	}
	if r.TTFF.N > 0 {
		ttff = fmt.Sprintf("%.0f/%.0f/%.0f", r.TTFF.P50, r.TTFF.P95, r.TTFF.Max)
	}
	if r.Viewers > 0 {
		fps = fmt.Sprintf("%.1f", r.FPSViewer)
		if r.FPSMin > 0 {
			fps += fmt.Sprintf(" (min %.1f)", r.FPSMin)
		}
	}
	return fmt.Sprintf("%-9s %-9s %3d×%-3d     %6.3f     %-22s   %-27s %-18s %-19s %4d %3d  %-17s %.2f",
		r.Scenario, r.Gateway, r.Cameras, views, r.CPUCores, rss, lat, added, ttff, r.Lost, r.Damaged, fps, r.ToolCores)
}

// printResults writes the table (and warnings) or, with asJSON, one JSON
// object per line.
func printResults(w io.Writer, rs []*result, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range rs {
			_ = enc.Encode(r)
		}
		return
	}
	fmt.Fprintln(w, tableHeader)
	for _, r := range rs {
		fmt.Fprintln(w, r.row())
	}
	for _, r := range rs {
		for _, s := range r.Samples {
			fmt.Fprintf(w, "  %s t=%4.0fs RSS %6.1f MB  goroutines %5d  cpu %.3f  p99 %6.1f ms  lost %d\n",
				r.Scenario, s.AtS, s.RSSMB, s.Goroutines, s.CPUCores, s.P99, s.Lost)
		}
		if r.SoakVerdict != "" {
			fmt.Fprintf(w, "  %s\n", r.SoakVerdict)
		}
		if len(r.Warnings) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", r.Scenario, strings.Join(r.Warnings, "; "))
		}
	}
}
