package gateway

import (
	"github.com/prometheus/client_golang/prometheus"

	"vigil/streams/record"
)

// recordingCollector exports the recorders' states and the bytes each
// camera holds on disk, read at scrape time.
type recordingCollector struct {
	rec                               *recording
	state, bytes, damaged, quarantine *prometheus.Desc
}

func newRecordingCollector(rec *recording) *recordingCollector {
	return &recordingCollector{
		rec: rec,
		state: prometheus.NewDesc("vigil_recorder_state",
			"1 for the recorder's current state (idle, recording, paused, stopped), 0 for the others; "+
				"reason says why it is paused.", []string{"camera", "state", "reason"}, nil),
		bytes: prometheus.NewDesc("vigil_recording_bytes", "Bytes of recorded segments on disk.", []string{"camera"}, nil),
		damaged: prometheus.NewDesc("vigil_recording_damaged_segments_total",
			"Segments found damaged by start-up repair: originals kept in quarantine/, intact fragments salvaged.",
			[]string{"camera"}, nil),
		quarantine: prometheus.NewDesc("vigil_recording_quarantine_bytes",
			"Bytes of damaged originals kept in quarantine/: retention never deletes them.", []string{"camera"}, nil),
	}
}

func (c *recordingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.state
	ch <- c.bytes
	ch <- c.damaged
	ch <- c.quarantine
}

func (c *recordingCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.rec.states() {
		for _, st := range []string{record.StateIdle, record.StateRecording, record.StatePaused, record.StateStopped} {
			v, reason := 0.0, ""
			if st == s.State {
				v = 1
				if st == record.StatePaused {
					reason = s.Reason
				}
			}
			ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, v, s.Camera, st, reason)
		}
	}
	for cam, n := range c.rec.index.Usage() {
		ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(n), cam)
	}
	for _, s := range c.rec.states() {
		ch <- prometheus.MustNewConstMetric(c.damaged, prometheus.CounterValue, float64(s.DamagedSegments), s.Camera)
	}
	for cam, d := range c.rec.index.Damaged() {
		var n int64
		for _, x := range d {
			n += x.Bytes
		}
		ch <- prometheus.MustNewConstMetric(c.quarantine, prometheus.GaugeValue, float64(n), cam)
	}
}
