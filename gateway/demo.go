package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"os/exec"

	"vigil/gateway/config"
	"vigil/streams/media"
	"vigil/streams/sim"
)

// demoCodecs gives some demo cameras what real station cameras send
// beside plain H.264, so the demo shows (and the tests exercise) every
// path through the gateway. They are encoded by ffmpeg; without it they
// fall back to plain H.264 and the log says so.
var demoCodecs = map[string]func(*sim.CameraOptions){
	// A newer camera on its factory default: H.265 with AAC sound.
	config.DemoH265Camera: func(o *sim.CameraOptions) {
		o.Codec, o.Audio = media.CodecH265, media.CodecAAC
	},
	// An older one: H.264 Main with B-frames and G.711 sound.
	config.DemoBFramesCamera: func(o *sim.CameraOptions) {
		o.BFrames, o.Audio = 2, media.CodecPCMA
	},
}

// startDemoCameras serves the demo config's cameras as simulated cameras
// over real RTSP on loopback and points the config at them, so demo mode
// pulls them exactly as it would pull a real camera.
func startDemoCameras(cfg *config.Config, log *slog.Logger) (*sim.Server, error) {
	var names []string
	for _, st := range cfg.Stations {
		for _, c := range st.Cameras {
			names = append(names, c.ID)
		}
	}
	_, err := exec.LookPath("ffmpeg")
	withFFmpeg := err == nil
	if !withFFmpeg {
		log.Warn("ffmpeg not installed: the demo's H.265 and B-frame cameras send plain H.264 instead")
	}
	srv, err := sim.NewServer(sim.ServerOptions{
		Listen: "127.0.0.1:0", Names: names, GOP: 50,
		Configure: func(name string, o *sim.CameraOptions) {
			if set, ok := demoCodecs[name]; ok && withFFmpeg {
				set(o)
			}
		},
	})
	if errors.Is(err, sim.ErrNoFFmpeg) {
		return nil, fmt.Errorf("demo cameras: %w (ffmpeg vanished while starting)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("demo cameras: %w", err)
	}
	for i := range cfg.Stations {
		for j := range cfg.Stations[i].Cameras {
			c := &cfg.Stations[i].Cameras[j]
			c.URL = srv.URL(c.ID)
			c.SubURL = srv.SubURL(c.ID)
			c.Transport = "tcp"
		}
	}
	return srv, nil
}
