package alarms

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics exports open alarms by type and station and the alarms raised
// by type. It is a prometheus.Collector.
type Metrics struct {
	mu     sync.Mutex
	open   map[[2]string]int // type, station → open alarms
	raised map[string]uint64 // type → raised since start
	rounds uint64            // diagnosis rounds done
	took   float64           // the last round's seconds

	openDesc, raisedDesc, roundsDesc, tookDesc *prometheus.Desc
}

func newMetrics() *Metrics {
	return &Metrics{
		open: map[[2]string]int{}, raised: map[string]uint64{},
		openDesc: prometheus.NewDesc("vigil_alarms_open", "Alarms not cleared, by type and station.",
			[]string{"type", "station"}, nil),
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

// opened counts a new alarm; raised false for one loaded at start.
func (m *Metrics) opened(a Alarm, raised bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.open[[2]string{a.Type, a.Station}]++
	if raised {
		m.raised[a.Type]++
	}
}

func (m *Metrics) closed(a Alarm) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{a.Type, a.Station}
	if m.open[k]--; m.open[k] <= 0 {
		delete(m.open, k)
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.openDesc
	ch <- m.raisedDesc
	ch <- m.roundsDesc
	ch <- m.tookDesc
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, n := range m.open {
		ch <- prometheus.MustNewConstMetric(m.openDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	for typ, n := range m.raised {
		ch <- prometheus.MustNewConstMetric(m.raisedDesc, prometheus.CounterValue, float64(n), typ)
	}
	ch <- prometheus.MustNewConstMetric(m.roundsDesc, prometheus.CounterValue, float64(m.rounds))
	ch <- prometheus.MustNewConstMetric(m.tookDesc, prometheus.GaugeValue, m.took)
}
