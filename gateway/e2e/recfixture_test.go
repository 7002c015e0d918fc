package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/streams/segstore"
	"vigil/streams/sim"
	"vigil/streams/sim/h264enc"
)

// Past recordings for playback tests: the recorder writes in real time, so
// minutes of history are written here through segstore's writer instead,
// as the recorder would have: 10 s segments of 1 s fragments, 25 fps, a
// keyframe every second, the picture showing its own wall-clock time.
const (
	fixtureFPS      = 25
	fixtureSegment  = 10 // seconds
	fixtureW        = 320
	fixtureH        = 180
	fixtureFrameDur = segstore.Timescale / fixtureFPS
)

// writePastRecording records camera from start for seconds (a multiple of
// fixtureSegment) under dataDir, and creates the database beside it (a
// data directory with recordings and no database is refused at start).
func writePastRecording(t *testing.T, dataDir, camera string, start time.Time, seconds int) {
	t.Helper()
	st, err := store.Open(filepath.Join(dataDir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	dir := filepath.Join(dataDir, "rec", camera)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	pic, err := sim.NewPicture(sim.PictureOptions{Width: fixtureW, Height: fixtureH, Title: camera, Subtitle: "fixture"})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := h264enc.New(h264enc.Options{Width: fixtureW, Height: fixtureH, FPS: fixtureFPS})
	if err != nil {
		t.Fatal(err)
	}
	in := segstore.Init{Timescale: segstore.Timescale, Width: fixtureW, Height: fixtureH, SPS: enc.SPS(), PPS: enc.PPS()}
	frame := int64(0)
	for seg := 0; seg < seconds/fixtureSegment; seg++ {
		segStart := start.Add(time.Duration(seg*fixtureSegment) * time.Second)
		b := segstore.AppendInit(nil, in)
		for f := range fixtureSegment {
			samples := make([]segstore.OutSample, fixtureFPS)
			for i := range samples {
				at := start.Add(time.Duration(frame) * time.Second / fixtureFPS)
				nalus, err := enc.Encode(pic.Draw(at, frame), i == 0)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					nalus = append([][]byte{enc.SPS(), enc.PPS()}, nalus...)
				}
				samples[i] = segstore.OutSample{Duration: fixtureFrameDur, Key: i == 0, NALUs: nalus}
				frame++
			}
			b = segstore.AppendFragment(b, uint32(f+1), uint64(f*fixtureFPS*fixtureFrameDur), samples)
		}
		if err := os.WriteFile(filepath.Join(dir, segstore.FileName(segStart)), b, 0o640); err != nil {
			t.Fatal(err)
		}
	}
}
