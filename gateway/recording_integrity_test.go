package gateway_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/evidence"
	"vigil/streams/segstore"
)

// waitClosedSegments waits until a camera has n segments closed.
func waitClosedSegments(t *testing.T, g *gateway.Gateway, camera string, n int) {
	t.Helper()
	testwait.For(t, fmt.Sprintf("%d closed segments of %s", n, camera), func() bool {
		closed := 0
		for _, s := range g.RecordedSegments(camera) {
			if !s.Active {
				closed++
			}
		}
		return closed >= n
	})
}

// writeAt overwrites part of a file.
func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestRecordingDamagedAndTamperedSegments: between two runs of the
// gateway one recorded segment gets four bytes overwritten in its first
// fragment header and the next one bytes changed in its last fragment's
// video. At start
// the damaged original is quarantined byte for byte with an ALERT, the
// camera's recording status and a metric count it, and an export over
// both keeps what is readable and intact: the manifest lists the damaged
// and the tampered part, and vigil verify does not call the clip intact.
func TestRecordingDamagedAndTamperedSegments(t *testing.T) {
	g, _ := recordingGateway(t)
	waitClosedSegments(t, g.Gateway, "bjx-t-00", 4)
	dataDir := g.dataDir
	g.Close()

	segs, _ := filepath.Glob(filepath.Join(dataDir, "rec", "bjx-t-00", "*.mp4"))
	damagedSeg, tamperedSeg := segs[1], segs[2]
	dIn, _ := segstore.ScanFile(damagedSeg)
	tIn, _ := segstore.ScanFile(tamperedSeg)
	if len(dIn.Good) < 2 || len(tIn.Good) < 2 {
		t.Fatalf("segments of %d and %d fragments, want 2 s of 1 s fragments", len(dIn.Good), len(tIn.Good))
	}
	writeAt(t, damagedSeg, dIn.Good[0].From, []byte{0xde, 0xad, 0xbe, 0xef})
	original, _ := os.ReadFile(damagedSeg)
	writeAt(t, tamperedSeg, tIn.Good[len(tIn.Good)-1].To-300, []byte("tampered"))

	g2, _ := recordingGateway(t, func(o *gateway.Options) { o.DataDir = dataDir })
	q := filepath.Join(dataDir, "rec", "bjx-t-00", segstore.QuarantineDir, filepath.Base(damagedSeg))
	if b, err := os.ReadFile(q); err != nil || !bytes.Equal(b, original) {
		t.Fatalf("quarantined original: %v", err)
	}
	if !strings.Contains(g2.logs.String(), "ALERT: recording damaged") {
		t.Fatal("no alert in the log")
	}
	var cam struct {
		Recording struct {
			DamagedSegments int    `json:"damaged_segments"`
			LastDamage      string `json:"last_damage"`
		}
	}
	g2.admin.must(200, "GET", "/api/cameras/bjx-t-00", nil, &cam)
	if cam.Recording.DamagedSegments != 1 || cam.Recording.LastDamage == "" {
		t.Fatalf("camera recording status %+v", cam.Recording)
	}
	metrics := string(g2.admin.must(200, "GET", "/metrics", nil, nil))
	if !strings.Contains(metrics, `vigil_recording_damaged_segments_total{camera="bjx-t-00"} 1`) ||
		!strings.Contains(metrics, fmt.Sprintf(`vigil_recording_quarantine_bytes{camera="bjx-t-00"} %d`, len(original))) {
		t.Fatalf("metrics:\n%s", grepLines(metrics, "damaged"))
	}

	from, _ := segstore.ParseFileName(filepath.Base(damagedSeg))
	var job clipJob
	g2.admin.must(202, "POST", "/api/clips", map[string]string{"camera": "bjx-t-00", "from": from.Format(time.RFC3339Nano),
		"to": tIn.End.Format(time.RFC3339Nano), "reason": "integrity"}, &job)
	if job = waitClip(t, g2.admin, job.ID); job.Status != "done" || len(job.Missing) != 2 {
		t.Fatalf("job %+v", job)
	}
	dir := t.TempDir()
	mp4 := filepath.Join(dir, "incident.mp4")
	download(t, g2.admin, job.File, mp4)
	download(t, g2.admin, job.Manifest, evidence.ManifestPath(mp4))
	if p := probeClip(t, mp4); p.codec != "h264" || !p.firstKey || p.duration < 1 { // 4 s less the damaged and the tampered parts
		t.Fatalf("ffprobe %+v", p)
	}
	m, err := evidence.ReadManifest(evidence.ManifestPath(mp4))
	if err != nil || len(m.Missing) != 2 || m.Missing[0].Reason != "damaged" || m.Missing[1].Reason != "tampered" ||
		m.Fragments == nil || m.Fragments.Tampered != 1 {
		t.Fatalf("manifest %+v %+v, %v", m.Missing, m.Fragments, err)
	}
	out, err := exec.Command(buildVigil(t), "verify", "-data", dataDir, mp4).CombinedOutput()
	if err == nil || strings.Contains(string(out), "intact\n") || !strings.Contains(string(out), "TAMPERED") {
		t.Fatalf("vigil verify of a clip from a tampered recording: %v\n%s", err, out)
	}
}
