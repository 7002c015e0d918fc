package alarms

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics exports open alarms by type and station and the alarms raised
// by type. It is a prometheus.Collector.
type Metrics struct {
	mu     sync.Mutex
	open   map[[2]string]int // type, station → open alarms
	raised map[string]uint64 // type → raised since start

	openDesc, raisedDesc *prometheus.Desc
}

func newMetrics() *Metrics {
	return &Metrics{
		open: map[[2]string]int{}, raised: map[string]uint64{},
		openDesc: prometheus.NewDesc("vigil_alarms_open", "Alarms not cleared, by type and station.",
			[]string{"type", "station"}, nil),
		raisedDesc: prometheus.NewDesc("vigil_alarms_raised_total", "Alarms raised since start, by type.",
			[]string{"type"}, nil),
	}
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
}
