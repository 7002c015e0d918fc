package gateway_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/gateway/auth"
	"vigil/internal/testwait"
	"vigil/streams/sim"
)

// alarmConfig has short thresholds, so the tests run in seconds; what
// is checked is that each alarm comes within its threshold plus 2 s.
func alarmConfig(clearAfter string) string {
	return `alarms:
  thresholds: {camera_offline: 2s, video_loss: 2s, frozen_image: 2s, black_image: 2s}
  diagnosis_period: 1s
  clear_after: ` + clearAfter + "\n"
}

type apiAlarm struct {
	ID, Type, Camera, Station, State, Detail, Note string
	AckedBy                                        string `json:"acked_by"`
	Count                                          int
	RaisedAt                                       time.Time  `json:"raised_at"`
	ClearedAt                                      *time.Time `json:"cleared_at"`
}

// alarmRig is a gateway pulling simulated cameras bjx-a-00… (cam0…) and
// qh-a-00 (the last), with the short thresholds; an alarm clears once
// its condition has been gone for clearAfter.
type alarmRig struct {
	*testGateway
	cams *sim.Server
}

func startAlarmRig(t *testing.T, n int, clearAfter string) *alarmRig {
	t.Helper()
	var names, bjx []string
	for i := range n {
		names = append(names, fmt.Sprintf("cam%d", i))
		if i < n-1 {
			bjx = append(bjx, fmt.Sprintf("bjx-a-%02d", i))
		}
	}
	cams := startCamera(t, sim.ServerOptions{Names: names, Width: 320, Height: 180, GOP: 5})
	cfg := stationsConfig("rtsp://"+cams.Addr(), map[string][]string{"bjx": bjx, "qh": {"qh-a-00"}}) + alarmConfig(clearAfter)
	g := startTestGateway(t, cfg)
	for _, c := range g.Catalog().Cameras() {
		waitOnline(t, c.MainHub)
	}
	// The diagnosis's first rounds start its ffmpeg: a fault set before
	// that would be timed with the start-up, not the detection.
	testwait.For(t, "two diagnosis rounds", func() bool {
		m := regexp.MustCompile(`(?m)^vigil_diagnosis_rounds_total (\d+)`).FindStringSubmatch(string(g.admin.must(http.StatusOK, "GET", "/metrics", nil, nil)))
		return m != nil && m[1] != "0" && m[1] != "1"
	})
	return &alarmRig{testGateway: g, cams: cams}
}

// alarms lists the alarms c sees with query.
func (c *client) alarms(query string) []apiAlarm {
	c.t.Helper()
	var out struct{ Alarms []apiAlarm }
	c.must(http.StatusOK, "GET", "/api/alarms?"+query, nil, &out)
	return out.Alarms
}

// waitAlarm waits until the alarm query finds exactly one alarm matching
// ok, and returns it.
func (c *client) waitAlarm(what, query string, ok func(apiAlarm) bool) apiAlarm {
	c.t.Helper()
	var found apiAlarm
	testwait.For(c.t, what, func() bool {
		n := 0
		for _, a := range c.alarms(query) {
			if ok(a) {
				found, n = a, n+1
			}
		}
		return n == 1
	})
	return found
}

func within(t *testing.T, a apiAlarm, since time.Time, threshold time.Duration) {
	t.Helper()
	late := a.RaisedAt.Sub(since)
	t.Logf("%s raised %v after the fault (threshold %v)", a.Type, late.Round(time.Millisecond), threshold)
	if late > threshold+2*time.Second {
		t.Errorf("%s raised %v after the fault, want within %v", a.Type, late.Round(time.Millisecond), threshold+2*time.Second)
	}
}

func isActive(a apiAlarm) bool { return a.State == "active" }

// TestAlarmsFromCameraFaults: each picture and stream fault camsim can
// show raises its alarm within its threshold plus 2 s, over real RTSP,
// and the alarm clears when the camera recovers.
func TestAlarmsFromCameraFaults(t *testing.T) {
	rig := startAlarmRig(t, 4, "2s")
	admin := rig.admin
	for _, c := range []struct {
		cam, id, typ string
		fault        sim.Fault
		threshold    time.Duration
	}{
		{"cam0", "bjx-a-00", "frozen_image", sim.FaultFreeze, 2 * time.Second},
		{"cam1", "bjx-a-01", "black_image", sim.FaultBlack, 2 * time.Second},
		{"cam2", "bjx-a-02", "video_loss", sim.FaultStall, 2 * time.Second},
	} {
		t.Run(c.typ, func(t *testing.T) {
			at := time.Now()
			if err := rig.cams.SetFault(c.cam, c.fault); err != nil {
				t.Fatal(err)
			}
			a := admin.waitAlarm(c.typ+" raised", "camera="+c.id+"&type="+c.typ, isActive)
			within(t, a, at, c.threshold)
			if a.Station != "bjx" || a.Count != 1 {
				t.Errorf("alarm %+v", a)
			}
			rig.cams.SetFault(c.cam, sim.FaultNone)
			admin.waitAlarm(c.typ+" cleared", "camera="+c.id+"&type="+c.typ, func(x apiAlarm) bool {
				return x.ID == a.ID && x.State == "cleared" && x.ClearedAt != nil
			})
		})
	}
	// The healthy camera's picture was never taken for frozen or black.
	for _, typ := range []string{"frozen_image", "black_image"} {
		if list := admin.alarms("camera=qh-a-00&type=" + typ); len(list) != 0 {
			t.Errorf("%s alarms of the healthy camera: %+v", typ, list)
		}
	}
}

// TestAlarmCameraOfflineUnauthorized: a camera refusing the credentials
// is camera_offline with the reason.
func TestAlarmCameraOfflineUnauthorized(t *testing.T) {
	rig := startAlarmRig(t, 2, "2s")
	at := time.Now()
	rig.cams.SetFault("cam0", sim.FaultUnauthorized)
	a := rig.admin.waitAlarm("camera_offline raised", "camera=bjx-a-00&type=camera_offline&state=active",
		func(x apiAlarm) bool { return strings.HasPrefix(x.Detail, "unauthorized") })
	// The reconnect after the drop meets the 401 at once.
	within(t, a, at, 2*time.Second)
	rig.cams.SetFault("cam0", sim.FaultNone)
	rig.admin.waitAlarm("camera_offline cleared", "camera=bjx-a-00&type=camera_offline&state=cleared", func(x apiAlarm) bool { return x.ID == a.ID })
}

// TestAlarmFlappingIsOneAlarm: a camera dropping again and again (each
// time back before the 2 s threshold) is one open camera_offline alarm
// whose count grows, not one alarm per drop.
func TestAlarmFlappingIsOneAlarm(t *testing.T) {
	rig := startAlarmRig(t, 2, "1m")
	h := mainHubs(t, rig.Gateway, []string{"bjx-a-00"})["bjx-a-00"]
	const drops = 5
	for i := range drops {
		before := h.Stats().Outages
		if err := rig.cams.Drop("cam0"); err != nil {
			t.Fatal(err)
		}
		testwait.For(t, fmt.Sprintf("drop %d seen and the camera back", i+1), func() bool {
			return h.Stats().Outages > before && h.Stats().Keyframes > 0 && h.Keyframe() != nil
		})
	}
	var a apiAlarm
	if !testwait.Until(t, func() bool {
		list := rig.admin.alarms("camera=bjx-a-00&type=camera_offline")
		if len(list) == 1 {
			a = list[0]
		}
		return len(list) == 1 && a.Count >= 3 && a.State != "cleared"
	}) {
		t.Fatalf("want one open camera_offline counting the drops, have %+v", rig.admin.alarms("camera=bjx-a-00"))
	}
	t.Logf("%d drops: one alarm, count %d", drops, a.Count)
	if all := rig.admin.alarms("camera=bjx-a-00"); len(all) != 1 || all[0].ID != a.ID {
		t.Fatalf("%d alarms for one flapping camera: %+v", len(all), all)
	}
}

// TestAlarmAckAndVisibility: a dispatcher acknowledges with a note (who
// and when are kept, and audited); one limited to another station gets
// 404 for it and does not see it; bad filters are refused.
func TestAlarmAckAndVisibility(t *testing.T) {
	rig := startAlarmRig(t, 2, "2s")
	rig.createUser("qh-disp", auth.RoleDispatcher, "qh")
	rig.createUser("bjx-disp", auth.RoleDispatcher, "bjx")
	rig.createUser("viewer", auth.RoleViewer)
	qh, bjx, viewer := rig.login("qh-disp", userPassword), rig.login("bjx-disp", userPassword), rig.login("viewer", userPassword)

	rig.cams.SetFault("cam0", sim.FaultFreeze)
	a := bjx.waitAlarm("frozen raised", "type=frozen_image", isActive)
	if len(qh.alarms("")) != 0 {
		t.Fatal("a qh dispatcher sees bjx alarms")
	}
	qh.must(http.StatusNotFound, "POST", "/api/alarms/"+a.ID+"/ack", map[string]string{"note": "x"}, nil)
	qh.must(http.StatusNotFound, "POST", "/api/alarms/nope/ack", map[string]string{"note": "x"}, nil)
	viewer.must(http.StatusForbidden, "POST", "/api/alarms/"+a.ID+"/ack", map[string]string{"note": "x"}, nil)
	bjx.must(http.StatusBadRequest, "POST", "/api/alarms/"+a.ID+"/ack", map[string]string{"note": string(make([]byte, 501))}, nil)

	var acked apiAlarm
	bjx.must(http.StatusOK, "POST", "/api/alarms/"+a.ID+"/ack", map[string]string{"note": "已通知维修"}, &acked)
	if acked.State != "acknowledged" || acked.AckedBy != "bjx-disp" || acked.Note != "已通知维修" {
		t.Fatalf("acked %+v", acked)
	}
	if got := rig.admin.alarms("state=acknowledged"); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("state filter: %+v", got)
	}
	for _, q := range []string{"state=sleeping", "type=smoke", "from=yesterday"} {
		rig.admin.must(http.StatusBadRequest, "GET", "/api/alarms?"+q, nil, nil)
	}
	testwait.For(t, "the ack audited", func() bool {
		return countAudit(rig.auditEntries("action=alarm.ack"), func(e auditEntry) bool {
			return e.User == "bjx-disp" && e.Camera == "bjx-a-00" && e.Detail["note"] == "已通知维修"
		}) == 1
	})
}
