package gateway_test

import (
	"slices"
	"testing"
)

// TestStationsCarryAreasAndSearchKeys: each camera of GET /api/stations has
// its area and the pinyin keys of its name and area, so the console finds
// 站台 by "zt" and "zhantai" without a pinyin table of its own.
func TestStationsCarryAreasAndSearchKeys(t *testing.T) {
	g := startTestGateway(t, `stations:
  - id: bjx
    name: 北京西站
    cameras:
      - {id: bjx-plt-01, name: 站台 1, area: 站台, area_en: Platforms, url: "rtsp://127.0.0.1:1/a"}
      - {id: bjx-gate-07, name: Gate 7, url: "rtsp://127.0.0.1:1/b"}
`)
	var out struct {
		Stations []struct {
			Cameras []struct {
				ID, Area string
				AreaEN   string `json:"area_en"`
				Search   []string
			}
		}
	}
	g.admin.must(200, "GET", "/api/stations", nil, &out)
	cams := out.Stations[0].Cameras
	plt, gate := cams[0], cams[1]
	if plt.Area != "站台" || plt.AreaEN != "Platforms" || !slices.Equal(plt.Search, []string{"zhantai1", "zt1", "zhantai", "zt"}) {
		t.Fatalf("platform camera %+v", plt)
	}
	if gate.Area != "" || gate.Search == nil || len(gate.Search) != 0 {
		t.Fatalf("a camera named in Latin letters: %+v (no keys, an empty list)", gate)
	}
}
