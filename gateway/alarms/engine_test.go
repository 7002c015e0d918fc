package alarms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"vigil/gateway/audit"
	"vigil/gateway/store"
)

// auditLog keeps audit entries in memory.
type auditLog struct{ entries []audit.Entry }

func (l *auditLog) Record(_ context.Context, e audit.Entry) { l.entries = append(l.entries, e) }

func TestEngineRaiseAckClear(t *testing.T) {
	t.Parallel()
	e, st, clk := newTestEngine(t)
	log := &auditLog{}
	e.opts.Audit = log
	var seen []Alarm
	e.Subscribe(func(a Alarm) { seen = append(seen, a) })
	ctx := context.Background()

	a, err := e.Raise(ctx, offline)
	if err != nil || a.Count != 1 || a.State != StateActive {
		t.Fatal(a, err)
	}
	clk.Advance(time.Second)
	again, _ := e.Raise(ctx, offline)
	if again.ID != a.ID || again.Count != 2 || again.Detail != "unreachable" {
		t.Fatalf("raised again: %+v, want the same alarm counted up", again)
	}
	hidden := func(Alarm) bool { return false }
	if _, err := e.Ack(ctx, a.ID, "op", "x", hidden); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ack of a hidden alarm: %v", err)
	}
	if _, err := e.Ack(ctx, "nope", "op", "x", func(Alarm) bool { return true }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ack of no alarm: %v", err)
	}
	if _, err := e.Ack(ctx, a.ID, "op", strings.Repeat("长", MaxNote+1), func(Alarm) bool { return true }); !errors.Is(err, ErrNoteTooLong) {
		t.Fatalf("long note: %v", err)
	}
	acked, err := e.Ack(ctx, a.ID, "op1", "  派人查看  ", func(Alarm) bool { return true })
	if err != nil || acked.State != StateAcknowledged || acked.AckedBy != "op1" || acked.Note != "派人查看" || acked.Count != 2 {
		t.Fatalf("acked %+v, %v", acked, err)
	}
	// Still open: the condition coming back counts the acknowledged alarm up.
	clk.Advance(time.Second)
	if up, _ := e.Raise(ctx, offline); up.ID != a.ID || up.Count != 3 || up.State != StateAcknowledged {
		t.Fatalf("raised while acknowledged: %+v", up)
	}
	clk.Advance(time.Second)
	if err := e.Clear(ctx, offline); err != nil {
		t.Fatal(err)
	}
	got, _ := e.Get(ctx, a.ID)
	if got.State != StateCleared || got.ClearedAt == nil || got.AckedBy != "op1" {
		t.Fatalf("cleared: %+v", got)
	}
	if n := len(seen); n != 5 || seen[4].State != StateCleared {
		t.Fatalf("subscriber saw %d changes: %+v", n, seen)
	}
	events, _ := st.AlarmEvents(ctx, a.ID)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Event)
	}
	if strings.Join(kinds, ",") != "raised,repeated,acknowledged,repeated,cleared" {
		t.Fatalf("history %v", kinds)
	}
	var actions []string
	for _, en := range log.entries {
		actions = append(actions, en.Action+"/"+en.User)
	}
	if strings.Join(actions, ",") != "alarm.raised/,alarm.ack/op1,alarm.cleared/" {
		t.Fatalf("audit %v", actions)
	}
	// A new occurrence after the clear is a new alarm.
	if b, _ := e.Raise(ctx, offline); b.ID == a.ID || b.Count != 1 {
		t.Fatalf("after the clear: %+v", b)
	}
}

func TestEngineKeepsOpenAlarmsAcrossRestart(t *testing.T) {
	t.Parallel()
	e, st, clk := newTestEngine(t)
	ctx := context.Background()
	a, _ := e.Raise(ctx, offline)
	e.Raise(ctx, Condition{Type: "node_down", Subject: "bjx-2"})
	restarted, err := NewEngine(ctx, Options{Store: st, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := restarted.Raise(ctx, offline); again.ID != a.ID || again.Count != 2 {
		t.Fatalf("after a restart: %+v, want alarm %s counted up", again, a.ID)
	}
	if got := openSeries(restarted); got != "/node_down=1 bjx/camera_offline=1" {
		t.Fatalf("open alarms metric after a restart: %s", got)
	}
	restarted.Clear(ctx, Condition{Type: "node_down", Subject: "bjx-2"})
	if got := openSeries(restarted); got != "bjx/camera_offline=1" {
		t.Fatalf("open alarms metric after the clear: %s", got)
	}
	if _, err := restarted.List(ctx, store.AlarmFilter{State: StateCleared}); err != nil {
		t.Fatal(err)
	}
}

// openSeries renders the vigil_alarms_open series as "station/type=n",
// sorted.
func openSeries(e *Engine) string {
	ch := make(chan prometheus.Metric, 100)
	e.Metrics().Collect(ch)
	close(ch)
	var out []string
	for m := range ch {
		if !strings.Contains(m.Desc().String(), "vigil_alarms_open") {
			continue
		}
		var pb dto.Metric
		m.Write(&pb)
		labels := map[string]string{}
		for _, l := range pb.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		out = append(out, fmt.Sprintf("%s/%s=%v", labels["station"], labels["type"], pb.GetGauge().GetValue()))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}
