package main

import (
	"fmt"
	"time"
)

// scenario is one named load: cameras, viewers per camera and how the
// viewers are started and measured.
type scenario struct {
	Name    string
	Cameras int
	Viewers int // per camera
	GOP     int // frames; 0 keeps -gop
	// Rounds > 0 makes a time-to-first-frame scenario: all viewers start
	// at once, Rounds times, at random points of the cameras' GOP.
	Rounds int
	// Soak samples RSS, goroutines and latency every SampleEvery and
	// replaces one viewer every ChurnEvery.
	SampleEvery time.Duration
	ChurnEvery  time.Duration
	Duration    time.Duration // default window when -duration is not given
	// Relay runs two vigil nodes over a private PostgreSQL: the cameras
	// on one, the viewers on the other, every stream relayed between them.
	Relay bool
	// Record has vigil record every camera too (as -record does).
	Record bool
	About  string
}

var scenarios = []scenario{
	{Name: "idle", Cameras: 50, About: "50 cameras ingested, no viewers", Duration: 30 * time.Second},
	{Name: "ingest", Cameras: 50, Viewers: 1, About: "50 cameras × 1 WHEP viewer", Duration: 30 * time.Second},
	{Name: "fanout", Cameras: 10, Viewers: 16, About: "10 cameras × 16 WHEP viewers", Duration: 30 * time.Second},
	{Name: "switch", Cameras: 16, Viewers: 1, GOP: 100, Rounds: 5,
		About: "16 cameras with a 4 s GOP, 16 viewers started at once, 5 rounds: time to first frame", Duration: 5 * time.Second},
	{Name: "soak", Cameras: 10, Viewers: 4, SampleEvery: 30 * time.Second, ChurnEvery: 10 * time.Second,
		About:    "10 cameras × 4 viewers for long, one viewer replaced every 10 s: RSS, goroutines, latency stay flat",
		Duration: 10 * time.Minute},
	{Name: "station", Cameras: 500, Record: true,
		About: "500 cameras ingested and recorded, no viewers: what a station's node costs", Duration: 30 * time.Second},
	{Name: "relay", Cameras: 10, Viewers: 1, Relay: true,
		About:    "10 cameras on one node × 1 WHEP viewer on another node, relayed: compare latency and CPU with ingest",
		Duration: 30 * time.Second},
}

func findScenario(name string) (scenario, error) {
	if name == "whep" { // the former name of a cameras × 1 viewer run
		name = "ingest"
	}
	for _, s := range scenarios {
		if s.Name == name {
			return s, nil
		}
	}
	return scenario{}, fmt.Errorf("unknown scenario %q", name)
}
