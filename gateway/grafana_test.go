package gateway_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/sim"
)

// dashboardPath is the Grafana dashboard shipped in docs/.
const dashboardPath = "../docs/grafana-vigil.json"

// TestGrafanaDashboardNamesExportedMetrics: every PromQL expression of the
// dashboard (panels and template variables) names only metrics a running
// gateway exports, and only labels those metrics carry; the panels the
// operators asked for are there. A metric renamed or dropped fails here,
// not on a wall screen.
func TestGrafanaDashboardNamesExportedMetrics(t *testing.T) {
	exprs := dashboardExprs(t)
	if len(exprs) < 20 {
		t.Fatalf("%d expressions in %s, want the whole dashboard", len(exprs), dashboardPath)
	}
	exported := scrapeEverything(t)

	// The checker itself: an unknown metric and an unknown label are caught.
	for _, bad := range []string{`sum(vigil_no_such_metric)`, `sum by (nolabel) (vigil_stream_up)`, `vigil_stream_up{nolabel="x"}`} {
		if checkExpr(bad, exported) == nil {
			t.Fatalf("checker accepts %q", bad)
		}
	}
	named := map[string]bool{}
	for _, e := range exprs {
		if err := checkExpr(e, exported); err != nil {
			t.Errorf("%s", err)
		}
		for _, m := range metricsOf(e) {
			named[m] = true
		}
	}
	for _, m := range []string{"vigil_stream_up", "vigil_camera_info", "vigil_stream_fps", "vigil_stream_bitrate_bps",
		"vigil_whep_sessions", "vigil_console_tiles", "vigil_console_connections", "vigil_alarms", "vigil_webhook_backlog",
		"vigil_recorder_state", "vigil_transcoders", "vigil_export_jobs", "vigil_login_failures_total",
		"vigil_audit_lost_total", "vigil_audit_spooled", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if !named[m] {
			t.Errorf("no panel shows %s", m)
		}
	}
}

// scrapeEverything runs a gateway in which every metric has a series: a
// recorded camera watched over WHEP and on a console tile, an unreachable
// one raising camera_offline, a webhook that delivers it. It returns each
// metric's label names as /metrics shows them.
func scrapeEverything(t *testing.T) map[string]map[string]bool {
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0"}, Width: 160, Height: 96, GOP: 25})
	hook := newAlarmReceiver(t)
	t.Cleanup(gateway.SetRecordSegment(2 * time.Second))
	cfg := strings.ReplaceAll(stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjx": {"bjx-t-00"}, "qh": {"qh-t-00"}}),
		"record: false", "record: true") + alarmConfig("2s") +
		fmt.Sprintf("webhooks:\n  - id: city\n    url: %s/alarms\n    secret: %s\n", hook.srv.URL, hookSecret)
	g := startTestGateway(t, cfg)
	waitRecording(t, g.Gateway, "bjx-t-00", "recording")
	openWHEP(t, g.URL(), g.admin.token, "bjx-t-00")
	c := dialConsole(t, g.URL(), g.admin.token, "")
	c.negotiate(t)
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-t-00"})

	var labels map[string]map[string]bool
	waiting := []string{"vigil_whep_sessions", "vigil_console_tiles", "vigil_alarms", "vigil_webhook_attempts_total", "vigil_recording_bytes"}
	if !testwait.Until(t, func() bool {
		labels = map[string]map[string]bool{}
		for series := range scrape(t, g.admin) {
			name, ls := splitSeries(series)
			if labels[name] == nil {
				labels[name] = map[string]bool{}
			}
			for _, l := range ls {
				labels[name][l] = true
			}
		}
		return !slices.ContainsFunc(waiting, func(m string) bool { return labels[m] == nil })
	}) {
		t.Fatalf("not every metric has a series: no %v", slices.DeleteFunc(waiting, func(m string) bool { return labels[m] != nil }))
	}
	return labels
}

// splitSeries splits a series as printed, name{a="x",b="y"}, into its
// name and label names; values may hold escaped quotes.
func splitSeries(s string) (string, []string) {
	name, rest, ok := strings.Cut(s, "{")
	if !ok {
		return s, nil
	}
	var out []string
	for rest != "" && rest != "}" {
		l, after, _ := strings.Cut(rest, `="`)
		out = append(out, strings.TrimPrefix(l, ","))
		i := 0
		for i < len(after) && after[i] != '"' {
			if after[i] == '\\' {
				i++
			}
			i++
		}
		rest = after[min(i+1, len(after)):]
	}
	return name, out
}

// dashboardExprs returns the PromQL of every panel target and the query of
// every template variable.
func dashboardExprs(t *testing.T) []string {
	data, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	type panel struct {
		Title   string
		Targets []struct{ Expr string }
		Panels  []json.RawMessage
	}
	var d struct {
		Panels     []json.RawMessage
		Templating struct {
			List []struct {
				Type  string
				Query json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardPath, err)
	}
	var out []string
	var walk func([]json.RawMessage)
	walk = func(list []json.RawMessage) {
		for _, raw := range list {
			var p panel
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("%s: panel: %v", dashboardPath, err)
			}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("panel %q has a target without an expression", p.Title)
				}
				out = append(out, tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct{ Query string }
		if err := json.Unmarshal(v.Query, &q); err != nil {
			t.Fatalf("%s: template query: %v", dashboardPath, err)
		}
		out = append(out, q.Query)
	}
	return out
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promSelector = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}`)
	promMatcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!=|!~|=)`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	labelValues  = regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$`)
)

// promKeywords are the words of PromQL that are neither metrics nor
// followed by "(".
var promKeywords = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true,
	"group_right": true, "bool": true, "and": true, "or": true, "unless": true, "offset": true, "inf": true, "nan": true}

// metricsOf returns the metric names expr reads.
func metricsOf(expr string) []string {
	if m := labelValues.FindStringSubmatch(expr); m != nil {
		return []string{m[1]}
	}
	s := promString.ReplaceAllString(expr, `""`)
	s = promGrouping.ReplaceAllString(s, "")
	s = promSelector.ReplaceAllString(s, "$1 ")
	s = promRange.ReplaceAllString(s, "")
	var out []string
	for _, loc := range promIdent.FindAllStringIndex(s, -1) {
		word := s[loc[0]:loc[1]]
		next := strings.TrimLeft(s[loc[1]:], " \t\n")
		if promKeywords[word] || strings.HasPrefix(next, "(") || (loc[0] > 0 && s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9') {
			continue
		}
		out = append(out, word)
	}
	return out
}

// checkExpr says what of expr the gateway does not export: a metric, a
// label of a selector, a label grouped or joined on.
func checkExpr(expr string, exported map[string]map[string]bool) error {
	metrics := metricsOf(expr)
	if len(metrics) == 0 {
		return fmt.Errorf("%q names no metric", expr)
	}
	anyHas := func(label string) bool {
		return slices.ContainsFunc(metrics, func(m string) bool { return exported[m][label] })
	}
	for _, m := range metrics {
		if exported[m] == nil {
			return fmt.Errorf("%q: the gateway exports no metric %s", expr, m)
		}
	}
	if m := labelValues.FindStringSubmatch(expr); m != nil && !exported[m[1]][m[2]] {
		return fmt.Errorf("%q: %s has no label %s", expr, m[1], m[2])
	}
	s := promString.ReplaceAllString(expr, `""`)
	for _, sel := range promSelector.FindAllStringSubmatch(s, -1) {
		for _, l := range promMatcher.FindAllStringSubmatch(sel[2], -1) {
			if (sel[1] != "" && !exported[sel[1]][l[1]]) || (sel[1] == "" && !anyHas(l[1])) {
				return fmt.Errorf("%q: %s has no label %s", expr, sel[1], l[1])
			}
		}
	}
	for _, g := range promGrouping.FindAllStringSubmatch(s, -1) {
		for _, l := range strings.Split(g[1], ",") {
			if l = strings.TrimSpace(l); l != "" && !anyHas(l) {
				return fmt.Errorf("%q: no metric of it has label %s", expr, l)
			}
		}
	}
	return nil
}
