package alarms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// An acknowledged alarm moves from state active to acknowledged in
// vigil_alarms and leaves it when cleared; vigil_alarms_open counts both.
func TestMetricsAlarmsByState(t *testing.T) {
	t.Parallel()
	e, _, _ := newTestEngine(t)
	ctx := context.Background()
	a, err := e.Raise(ctx, offline)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Raise(ctx, Condition{Type: "disk_low", Subject: "/data"}); err != nil {
		t.Fatal(err)
	}
	if got := stateSeries(e); got != "/disk_low/active=1 bjx/camera_offline/active=1" {
		t.Fatalf("raised: %s", got)
	}
	if _, err := e.Ack(ctx, a.ID, "op", "", func(Alarm) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if got := stateSeries(e); got != "/disk_low/active=1 bjx/camera_offline/acknowledged=1" {
		t.Fatalf("acknowledged: %s", got)
	}
	if got := openSeries(e); got != "/disk_low=1 bjx/camera_offline=1" {
		t.Fatalf("open after the ack: %s", got)
	}
	if err := e.Clear(ctx, offline); err != nil {
		t.Fatal(err)
	}
	if got := stateSeries(e); got != "/disk_low/active=1" {
		t.Fatalf("cleared: %s", got)
	}
}

// stateSeries renders the vigil_alarms series as "station/type/state=n",
// sorted.
func stateSeries(e *Engine) string {
	ch := make(chan prometheus.Metric, 100)
	e.Metrics().Collect(ch)
	close(ch)
	var out []string
	for m := range ch {
		if !strings.Contains(m.Desc().String(), `"vigil_alarms"`) {
			continue
		}
		var pb dto.Metric
		m.Write(&pb)
		l := map[string]string{}
		for _, p := range pb.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		out = append(out, fmt.Sprintf("%s/%s/%s=%v", l["station"], l["type"], l["state"], pb.GetGauge().GetValue()))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}
