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
		if dur < 3*8000 {
			// The writer takes the sound that has arrived at each
			// fragment, and the audio reader's goroutine may not have
			// run while 4 s of pictures went by in a moment (on a busy
			// machine it did not): the camera goes on sending, as a
			// live one does, until the sound has caught up.
			video.Publish(cam.next(t))
		}
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

// TestAttachedAudioKnowsItsTrack: the sound's track is known once the
// reader is attached, before its goroutine reads anything, so the first
// segment (opened at the camera's first keyframe, which may come first)
// gets its audio track. When the goroutine took the status, a busy
// machine could record that segment mute.
func TestAttachedAudioKnowsItsTrack(t *testing.T) {
	audio := hub.New(hub.Options{ID: "cam/audio"})
	audio.SetStatus(hub.Status{State: hub.StateOnline, Track: media.Track{Codec: media.CodecPCMA, SampleRate: 8000, Channels: 1}})
	in := attachAudio(audio)
	defer in.rd.Close()
	var at audioTrack
	a := at.begin(in)
	if !at.on || a.Codec != segstore.CodecLPCM || a.SampleRate != 8000 {
		t.Fatalf("a segment opened now records sound %+v (on %v), want 8 kHz PCM", a, at.on)
	}
}

// TestSoundPublishedBeforeTheCutIsTaken: the writer takes the sound the
// hub holds when it cuts, not only what the sound's goroutine took: here
// that goroutine never runs (a busy machine), and the segment's fragment
// still holds the second of sound published before it. With the
// goroutine alone, that second came after the cut and was moved up to the
// next segment's start, a gap at the cut.
func TestSoundPublishedBeforeTheCutIsTaken(t *testing.T) {
	audio := hub.New(hub.Options{ID: "cam/audio", QueueFrames: 500})
	audio.SetStatus(hub.Status{State: hub.StateOnline, Track: media.Track{Codec: media.CodecPCMA, SampleRate: 8000, Channels: 1}})
	in := attachAudio(audio)
	defer in.rd.Close()
	var at audioTrack
	at.begin(in)
	base := time.Now()
	for i := range 50 {
		pts := time.Duration(i) * 20 * time.Millisecond
		audio.Publish(&media.AccessUnit{PTS: pts, DTS: pts, Received: base.Add(pts),
			NALUs: [][]byte{bytes.Repeat([]byte{0xd5}, 160)}, Key: true})
	}
	_, samples := at.collect(in, base)
	var n uint32
	for _, s := range samples {
		n += s.Duration
	}
	if n != 8000 {
		t.Fatalf("the fragment holds %d samples of the 8000 published before it", n)
	}
}

// TestSoundRunsOnAcrossSegments: the sound a segment's last fragment did
// not take (it came after the cut) opens the next segment, so it is not
// lost. The sound's and the picture's wall clocks are anchored apart, on
// their first arrivals; here the first keyframe came 200 ms after the
// sound, as on a busy machine, so the sound that came after the cut is
// placed before the next segment's start by its own clock.
func TestSoundRunsOnAcrossSegments(t *testing.T) {
	in, base, send := soundIn()
	const videoLate = 200 * time.Millisecond
	var at audioTrack
	written := func(start time.Time) (n int) {
		_, samples := at.collect(in, start)
		for _, s := range samples {
			n += int(s.Duration)
		}
		return n
	}
	// Segment 0 opens at the first keyframe; sound before it is not its.
	at.begin(in)
	start0 := base.Add(videoLate)
	send(time.Second)
	first := written(start0)
	send(2 * time.Second)
	first += written(start0) // the cut: the keyframe at 2 s ends segment 0
	if want := int((2*time.Second - videoLate) * 8000 / time.Second); first != want {
		t.Fatalf("segment 0 holds %d samples, want %d", first, want)
	}
	at.begin(in)
	start1 := start0.Add(2 * time.Second)
	send(3 * time.Second)
	if got := written(start1); got != 8000 {
		t.Fatalf("segment 1's first second holds %d samples of the 8000 sent since the cut", got)
	}
}

// TestSoundQueuedWhileThePictureStalledIsDropped: sound that came while
// no segment was open (the picture stalled for 3 s) went with nothing
// recorded; the next segment starts with the sound of its own time, not
// 3 s of old sound moved up to its start.
func TestSoundQueuedWhileThePictureStalledIsDropped(t *testing.T) {
	in, base, send := soundIn()
	var at audioTrack
	at.begin(in)
	send(time.Second)
	at.collect(in, base) // segment 0, closed when the picture stalls
	send(4500 * time.Millisecond)
	at.begin(in) // the picture is back at 4 s
	base1, samples := at.collect(in, base.Add(4*time.Second))
	if len(samples) != 25 || base1 != 0 {
		t.Fatalf("the segment after the stall starts with %d units at tick %d, want the 25 since its start at 0", len(samples), base1)
	}
}

// soundIn is a camera's G.711 sound as the recorder's reader takes it in:
// send(until) delivers its 20 ms units up to until after base, each
// arriving on time.
func soundIn() (in *audioIn, base time.Time, send func(until time.Duration)) {
	in = &audioIn{track: media.Track{Codec: media.CodecPCMA, SampleRate: 8000, Channels: 1}, online: true}
	base = time.Now()
	var sent time.Duration
	send = func(until time.Duration) {
		for ; sent < until; sent += 20 * time.Millisecond {
			in.deliver(hub.Delivery{Units: []*media.AccessUnit{{PTS: sent, Received: base.Add(sent),
				NALUs: [][]byte{bytes.Repeat([]byte{0xd5}, 160)}, Key: true}}})
		}
	}
	return in, base, send
}
