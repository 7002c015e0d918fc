package alarms

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics exports open alarms by type and station (and by state), and the
// alarms raised by type. It is a prometheus.Collector. The open alarms are
// read from the engine at scrape time, so the figures cannot drift from
// what the engine holds.
type Metrics struct {
	openAlarms func() []Alarm // the engine's open alarms; set by NewEngine

	mu     sync.Mutex
	raised map[string]uint64 // type → raised since start
	rounds uint64            // diagnosis rounds done
	took   float64           // the last round's seconds

	openDesc, byStateDesc, raisedDesc, roundsDesc, tookDesc *prometheus.Desc
}

func newMetrics() *Metrics {
	return &Metrics{
		openAlarms: func() []Alarm { return nil },
		raised:     map[string]uint64{},
		openDesc: prometheus.NewDesc("vigil_alarms_open", "Alarms not cleared, by type and station.",
			[]string{"type", "station"}, nil),
		byStateDesc: prometheus.NewDesc("vigil_alarms", "Alarms not cleared, by type, station and state (active, acknowledged).",
			[]string{"type", "station", "state"}, nil),
		raisedDesc: prometheus.NewDesc("vigil_alarms_raised_total", "Alarms raised since start, by type.",
			[]string{"type"}, nil),
		roundsDesc: prometheus.NewDesc("vigil_diagnosis_rounds_total", "Video diagnosis rounds done (every camera's keyframe looked at once).", nil, nil),
		tookDesc:   prometheus.NewDesc("vigil_diagnosis_round_seconds", "How long the last video diagnosis round took.", nil, nil),
	}
}

func (m *Metrics) round(took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rounds++
	m.took = took.Seconds()
}

// countRaised counts a new alarm (not one loaded at start).
func (m *Metrics) countRaised(a Alarm) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.raised[a.Type]++
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.openDesc
	ch <- m.byStateDesc
	ch <- m.raisedDesc
	ch <- m.roundsDesc
	ch <- m.tookDesc
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	open := map[[2]string]int{}
	byState := map[[3]string]int{}
	for _, a := range m.openAlarms() {
		open[[2]string{a.Type, a.Station}]++
		byState[[3]string{a.Type, a.Station, a.State}]++
	}
	for k, n := range open {
		ch <- prometheus.MustNewConstMetric(m.openDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	for k, n := range byState {
		ch <- prometheus.MustNewConstMetric(m.byStateDesc, prometheus.GaugeValue, float64(n), k[0], k[1], k[2])
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for typ, n := range m.raised {
		ch <- prometheus.MustNewConstMetric(m.raisedDesc, prometheus.CounterValue, float64(n), typ)
	}
	ch <- prometheus.MustNewConstMetric(m.roundsDesc, prometheus.CounterValue, float64(m.rounds))
	ch <- prometheus.MustNewConstMetric(m.tookDesc, prometheus.GaugeValue, m.took)
}
