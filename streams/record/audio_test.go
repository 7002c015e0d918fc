package record

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

// TestRecorderWritesSound records a camera with G.711 sound from its
// audio hub: the segment has an audio track (16-bit PCM: fMP4 has no
// G.711 entry), its samples decode the camera's bytes, and the sound
// starts with the video and runs without a hole.
func TestRecorderWritesSound(t *testing.T) {
	root := t.TempDir()
	video := newHub()
	audio := hub.New(hub.Options{ID: "cam/audio", QueueFrames: 5000})
	audio.SetStatus(hub.Status{State: hub.StateOnline, Track: media.Track{Codec: media.CodecPCMA, SampleRate: 8000, Channels: 1}})
	tr := newTracker(t, root)
	startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: video, AudioHub: audio,
		SegmentDuration: time.Minute, Tracker: tr})
	testwait.For(t, "the recorder's audio reader", func() bool { return audio.Stats().Readers > 0 })
	cam := newSynth(t, 64, 48, 25)
	frame := bytes.Repeat([]byte{0xd5}, 160) // A-law silence, 20 ms
	for i := range 200 {                     // 4 s of sound, published ahead of the picture
		pts := time.Duration(i) * 20 * time.Millisecond
		audio.Publish(&media.AccessUnit{PTS: pts, DTS: pts, Received: cam.base.Add(pts), NALUs: [][]byte{frame}, Key: true})
	}
	for range 100 { // 4 s of video, keyframes every second
		video.Publish(cam.next(t))
	}
	var a segstore.AudioInit
	var dur uint64
	var samples []segstore.Sample
	testwait.For(t, "3 s of sound on disk", func() bool {
		a, dur, samples = readSound(t, tr)
		return dur >= 3*8000
	})
	if a.Codec != segstore.CodecLPCM || a.SampleRate != 8000 || a.Channels != 1 {
		t.Fatalf("audio track %+v", a)
	}
	for i, s := range samples {
		if s.Size != 320 || s.Duration != 160 {
			t.Fatalf("sample %d: %+v, want 160 samples of 16-bit PCM", i, s)
		}
	}
}

// readSound reads the camera's (one) segment as far as it is written and
// returns its audio track, the length of its sound in samples (which must
// run without a hole from the segment's start) and its audio samples.
func readSound(t *testing.T, tr *tracker) (segstore.AudioInit, uint64, []segstore.Sample) {
	t.Helper()
	segs := tr.idx.Segments("cam", time.Time{}, time.Now().Add(time.Hour))
	if len(segs) == 0 {
		return segstore.AudioInit{}, 0, nil
	}
	f, err := os.Open(segs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sr, err := segstore.NewReader(f, segs[0].Size)
	if err != nil {
		t.Fatal(err)
	}
	var fr segstore.Fragment
	var end uint64
	var all []segstore.Sample
	for sr.Next(&fr) == nil {
		if len(fr.Audio) == 0 {
			continue
		}
		// The segment starts on a whole millisecond at or before the
		// first picture, so the sound may start a fraction of one in.
		if first := len(all) == 0; (first && fr.AudioBaseTime >= 8) || (!first && fr.AudioBaseTime != end) {
			t.Fatalf("sound of fragment %d starts at %d, the previous ended at %d", fr.Seq, fr.AudioBaseTime, end)
		}
		if len(all) == 0 {
			end = fr.AudioBaseTime
		}
		for _, s := range fr.Audio {
			end += uint64(s.Duration)
			all = append(all, s)
		}
	}
	return sr.Init.Audio, end, all
}
