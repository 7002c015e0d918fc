package api

import (
	"net/url"
	"slices"
	"testing"

	"vigil/gateway/alarms"
	"vigil/gateway/auth"
	"vigil/gateway/config"
)

func TestAlarmFilter(t *testing.T) {
	f, err := alarmFilter(url.Values{"state": {"open"}, "station": {"bjx"}, "type": {"frozen_image"},
		"from": {"2026-12-06T06:00:00Z"}, "to": {"2026-12-06T07:00:00+08:00"}})
	if err != nil || f.State != "open" || f.Station != "bjx" || f.From.IsZero() || f.To.UTC().Hour() != 23 {
		t.Fatalf("%+v, %v", f, err)
	}
	for _, bad := range []url.Values{{"state": {"x"}}, {"type": {"smoke"}}, {"from": {"today"}}, {"to": {"1"}}} {
		if _, err := alarmFilter(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestAlarmVisible(t *testing.T) {
	all, bjx := auth.User{Name: "a"}, auth.User{Name: "b", Stations: []string{"bjx"}}
	cam, node := alarms.Alarm{Station: "bjx"}, alarms.Alarm{Subject: "bjx-2"}
	if !alarmVisible(all, cam) || !alarmVisible(all, node) || !alarmVisible(bjx, cam) || alarmVisible(bjx, node) ||
		alarmVisible(bjx, alarms.Alarm{Station: "qh"}) {
		t.Fatal("visibility")
	}
}

// FuzzAlarmQuery: the alarm list's query never panics, and what it
// accepts is a known state and type.
func FuzzAlarmQuery(f *testing.F) {
	for _, q := range []string{"state=open&type=frozen_image", "from=2026-12-06T06:00:00Z&to=x", "state=%ff", "type=", "station=bjx&camera=bjx-a-00", ""} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := alarmFilter(q)
		if err != nil {
			return
		}
		if fl.State != "" && !slices.Contains(alarmStates, fl.State) || fl.Type != "" && !slices.Contains(config.AlarmTypes, fl.Type) {
			t.Fatalf("accepted %+v", fl)
		}
	})
}
