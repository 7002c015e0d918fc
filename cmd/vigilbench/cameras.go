package main

import (
	"fmt"
	"sync/atomic"
	"time"

	"vigil/streams/sim"
)

// cameraOptions describe the simulated cameras of one scenario.
type cameraOptions struct {
	Listen  string // RTSP address; port 0 picks one
	Count   int
	Width   int
	Height  int
	FPS     int
	Bitrate int // bits per second
	GOP     int
	Encoder string // "ffmpeg" (realistic frame sizes) or "builtin"
}

// cameras are in-process simulated cameras whose every main-stream access
// unit starts with a vigilbench SEI: camera index, a frame counter of its
// own (one per frame actually sent) and the send time.
type cameras struct {
	srv  *sim.Server
	sent []atomic.Uint64
}

func startCameras(o cameraOptions) (*cameras, error) {
	c := &cameras{sent: make([]atomic.Uint64, o.Count)}
	srv, err := sim.NewServer(sim.ServerOptions{
		Listen: o.Listen, Cameras: o.Count, Width: o.Width, Height: o.Height, FPS: o.FPS, GOP: o.GOP,
		NoUDP: true,
		Configure: func(name string, co *sim.CameraOptions) {
			var i int
			if _, err := fmt.Sscanf(name, "cam%d", &i); err != nil || i < 0 || i >= o.Count {
				return
			}
			co.Encoder = o.Encoder
			co.Bitrate = o.Bitrate
			co.Tag = c.tagger(i)
			// One picture for all: the cameras share one ffmpeg loop.
			co.Title, co.Index = "vigilbench", 0
		},
	})
	if err != nil {
		return nil, err
	}
	c.srv = srv
	return c, nil
}

// tagger returns camera i's SEI source.
func (c *cameras) tagger(i int) func(int64, time.Time) []byte {
	return func(_ int64, sent time.Time) []byte {
		n := c.sent[i].Add(1)
		return buildSEI(frameTag{Camera: uint32(i), Frame: n, Sent: sent})
	}
}

// Addr is the RTSP address, host:port.
func (c *cameras) Addr() string { return c.srv.Addr() }

// URL is camera i's main stream.
func (c *cameras) URL(i int) string { return c.srv.URL(camName(i)) }

// framesSent is the number of tagged frames all cameras sent.
func (c *cameras) framesSent() uint64 {
	var n uint64
	for i := range c.sent {
		n += c.sent[i].Load()
	}
	return n
}

func (c *cameras) close() { c.srv.Close() }
