package webhooks

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/gateway/store"
)

// metrics are what operators alert on: the backlog per webhook (grows
// while a receiver is down) and attempts by outcome.
type metrics struct {
	mu       sync.Mutex
	backlog  map[string]int
	outcomes map[[2]string]float64 // webhook, result → count

	backlogDesc, attemptsDesc *prometheus.Desc
}

func newMetrics() *metrics {
	return &metrics{backlog: map[string]int{}, outcomes: map[[2]string]float64{},
		backlogDesc: prometheus.NewDesc("vigil_webhook_backlog", "Deliveries queued and not yet accepted by the receiver.",
			[]string{"webhook"}, nil),
		attemptsDesc: prometheus.NewDesc("vigil_webhook_attempts_total",
			"Delivery attempts by result: delivered, retry (failed, will be retried), failed (given up).",
			[]string{"webhook", "result"}, nil),
	}
}

func (m *metrics) setBacklog(id string, n int) {
	m.mu.Lock()
	m.backlog[id] = n
	m.mu.Unlock()
}

func (m *metrics) queued(id string) {
	m.mu.Lock()
	m.backlog[id]++
	m.mu.Unlock()
}

// attempted counts an attempt that ended in state; a finished delivery
// leaves the backlog.
func (m *metrics) attempted(id, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	result := state
	if state == store.DeliveryPending {
		result = "retry"
	}
	m.outcomes[[2]string{id, result}]++
	if state != store.DeliveryPending && m.backlog[id] > 0 {
		m.backlog[id]--
	}
}

func (m *metrics) forget(id string) {
	m.mu.Lock()
	delete(m.backlog, id)
	m.mu.Unlock()
}

// Backlog returns a webhook's queued deliveries as the metric shows them.
func (s *Service) Backlog(id string) int {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	return s.metrics.backlog[id]
}

// Describe and Collect make the service a Prometheus collector.
func (s *Service) Describe(ch chan<- *prometheus.Desc) {
	ch <- s.metrics.backlogDesc
	ch <- s.metrics.attemptsDesc
}

func (s *Service) Collect(ch chan<- prometheus.Metric) {
	m := s.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, n := range m.backlog {
		ch <- prometheus.MustNewConstMetric(m.backlogDesc, prometheus.GaugeValue, float64(n), id)
	}
	for k, n := range m.outcomes {
		ch <- prometheus.MustNewConstMetric(m.attemptsDesc, prometheus.CounterValue, n, k[0], k[1])
	}
}
