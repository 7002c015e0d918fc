package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/internal/netns"
	"vigil/streams/sim"
)

// POST /api/onvif/discover finds camsim's devices by WS-Discovery: inside
// a network namespace with loopback alone, so the probe never leaves the
// test.
func TestONVIFDiscoveryAPI(t *testing.T) {
	if !netns.Loopback(t) {
		return
	}
	srv := startCamera(t, sim.ServerOptions{Names: []string{"dome", "fixed"}, PTZ: []string{"dome"}, Width: 160, Height: 96})
	dev, err := srv.StartONVIF(sim.ONVIFOptions{Announce: true, Interface: "lo"})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	g := startTestGateway(t, twoStations, func(o *gateway.Options) { o.DiscoveryWait = 500 * time.Millisecond })
	var out struct {
		Devices []struct {
			Address, Name, Manufacturer, Model string
			XAddrs                             []string
		}
	}
	g.admin.must(http.StatusOK, "POST", "/api/onvif/discover", nil, &out)
	found := map[string]string{}
	for _, d := range out.Devices {
		if len(d.XAddrs) != 1 || d.Manufacturer != "vigil camsim" || d.Address == "" {
			t.Fatalf("device %+v", d)
		}
		found[d.Name] = d.Model + " " + d.XAddrs[0]
	}
	if len(found) != 2 || found["dome"] != "SIM-PTZ "+dev.DeviceURL("dome") || found["fixed"] != "SIM-IPC "+dev.DeviceURL("fixed") {
		t.Fatalf("found %v", found)
	}
	g.createUser("op", auth.RoleOperator)
	g.login("op", userPassword).must(http.StatusForbidden, "POST", "/api/onvif/discover", nil, nil)
}
