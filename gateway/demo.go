package gateway

import (
	"fmt"

	"vigil/gateway/config"
	"vigil/streams/sim"
)

// startDemoCameras serves the demo config's cameras as simulated cameras
// over real RTSP on loopback and points the config at them, so demo mode
// pulls them exactly as it would pull a real camera.
func startDemoCameras(cfg *config.Config) (*sim.Server, error) {
	var names []string
	for _, st := range cfg.Stations {
		for _, c := range st.Cameras {
			names = append(names, c.ID)
		}
	}
	srv, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: names, GOP: 50})
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
