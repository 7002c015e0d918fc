package gateway

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"vigil/gateway/audit"
	"vigil/gateway/catalog"
	"vigil/streams/hub"
	"vigil/streams/source"
)

// streamCollector reads the hubs' and sources' counters at scrape time, so
// the media path carries no metrics code of its own.
type streamCollector struct {
	catalog *catalog.Catalog
	sources func() map[string]source.Counters

	up, frames, bytes, skips, readers, fps, bitrate    *prometheus.Desc
	decodeErrors, brokenNALUs, oversizeNALUs, attempts *prometheus.Desc
}

func newStreamCollector(cat *catalog.Catalog, sources func() map[string]source.Counters) *streamCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_"+name, help, labels, nil)
	}
	l := []string{"camera", "stream"}
	return &streamCollector{
		catalog: cat, sources: sources,
		up:            d("stream_up", "1 when the stream is online.", l...),
		frames:        d("stream_frames_total", "Access units published.", l...),
		bytes:         d("stream_bytes_total", "Payload bytes published.", l...),
		skips:         d("stream_reader_skips_total", "Times a slow reader skipped to the next keyframe.", l...),
		readers:       d("stream_readers", "Readers attached (viewers, recorders).", l...),
		fps:           d("stream_fps", "Frames per second over the last few seconds.", l...),
		bitrate:       d("stream_bitrate_bps", "Bits per second over the last few seconds.", l...),
		decodeErrors:  d("source_decode_errors_total", "RTP packets that could not be depacketized.", l...),
		brokenNALUs:   d("source_broken_nalus_total", "NAL units dropped as broken.", l...),
		oversizeNALUs: d("source_oversize_nalus_total", "NAL units dropped as oversized.", l...),
		attempts:      d("source_connect_attempts_total", "RTSP connection attempts.", l...),
	}
}

func (c *streamCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.frames, c.bytes, c.skips, c.readers, c.fps, c.bitrate,
		c.decodeErrors, c.brokenNALUs, c.oversizeNALUs, c.attempts} {
		ch <- d
	}
}

func (c *streamCollector) Collect(ch chan<- prometheus.Metric) {
	srcs := c.sources()
	for _, cam := range c.catalog.Cameras() {
		c.collectHub(ch, cam.ID, "main", cam.MainHub, srcs[cam.ID])
		if cam.SubHub != nil {
			c.collectHub(ch, cam.ID, "sub", cam.SubHub, srcs[cam.ID+"/sub"])
		}
	}
}

func (c *streamCollector) collectHub(ch chan<- prometheus.Metric, id, stream string, h *hub.Hub, sc source.Counters) {
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, id, stream)
	}
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), id, stream)
	}
	st := h.Stats()
	up := 0.0
	if h.Status().State == hub.StateOnline {
		up = 1
	}
	gauge(c.up, up)
	counter(c.frames, st.Frames)
	counter(c.bytes, st.Bytes)
	counter(c.skips, st.ReaderSkips)
	gauge(c.readers, float64(st.Readers))
	gauge(c.fps, st.FPS)
	gauge(c.bitrate, st.Bitrate)
	counter(c.decodeErrors, sc.DecodeErrors)
	counter(c.brokenNALUs, sc.BrokenNALUs)
	counter(c.oversizeNALUs, sc.OversizeNALUs)
	counter(c.attempts, sc.Attempts)
}

// newRegistry returns the gateway's metrics registry.
func newRegistry(cat *catalog.Catalog, sources func() map[string]source.Counters, more ...prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(newStreamCollector(cat, sources))
	reg.MustRegister(more...)
	return reg
}

// auditCollector exports the audit log's losses and spool depth: a lost
// entry is an alarm (vigil_audit_lost_total > 0), a growing spool says the
// database is not taking writes.
type auditCollector struct {
	stats         func() audit.Stats
	lost, spooled *prometheus.Desc
}

func newAuditCollector(stats func() audit.Stats) *auditCollector {
	return &auditCollector{stats: stats,
		lost:    prometheus.NewDesc("vigil_audit_lost_total", "Audit entries neither the database nor the spool could take.", nil, nil),
		spooled: prometheus.NewDesc("vigil_audit_spooled", "Audit entries waiting in the spool for the database.", nil, nil),
	}
}

func (c *auditCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.lost; ch <- c.spooled }

func (c *auditCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(c.lost, prometheus.CounterValue, float64(st.Lost))
	ch <- prometheus.MustNewConstMetric(c.spooled, prometheus.GaugeValue, float64(st.Spooled))
}
