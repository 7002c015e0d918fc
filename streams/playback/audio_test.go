package playback

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

// writeWithSound writes seconds of 25 fps video with G.711 sound recorded
// as 8 kHz PCM (20 ms samples), one fragment per second.
func writeWithSound(t *testing.T, root string, t0 time.Time, seconds int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, "cam"), 0o750); err != nil {
		t.Fatal(err)
	}
	in := testInit
	in.Audio = segstore.AudioInit{Codec: segstore.CodecLPCM, SampleRate: 8000, Channels: 1}
	buf := segstore.AppendInit(nil, in)
	for s := range seconds {
		var sound []segstore.OutSample
		for range 50 {
			sound = append(sound, segstore.OutSample{Duration: 160, Key: true, NALUs: [][]byte{make([]byte, 320)}})
		}
		buf = segstore.AppendFragmentAV(buf, uint32(s+1), uint64(s*25*3600), samplesOf(s*25, 25, 25), uint64(s*8000), sound)
	}
	if err := os.WriteFile(filepath.Join(root, "cam", segstore.FileName(t0)), buf, 0o640); err != nil {
		t.Fatal(err)
	}
}

// The recorded sound plays with the picture at 1× (G.711 as A-law again);
// at another speed the audio hub stays silent.
func TestSoundAtNormalSpeedOnly(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeWithSound(t, root, t0, 4)
	x := openIndex(t, root)
	p := startPlayer(t, Options{Store: x, Camera: "cam", Start: t0})
	r := p.AudioHub().NewReader()
	t.Cleanup(r.Close)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	units := 0
	for units < 10 {
		d, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("after %d sound units: %v", units, err)
		}
		for _, au := range d.Units {
			if len(au.NALUs) != 1 || len(au.NALUs[0]) != 160 || au.NALUs[0][0] != 0xd5 { // A-law silence
				t.Fatalf("sound unit %d: %d NAL units, %x…", units, len(au.NALUs), au.NALUs[0][:4])
			}
			units++
		}
	}
	if tr := p.AudioHub().Status().Track; tr.Codec != media.CodecPCMA || tr.SampleRate != 8000 {
		t.Fatalf("sound track %+v", tr)
	}

	fast := startPlayer(t, Options{Store: x, Camera: "cam", Start: t0, Speed: 2})
	v := watch(t, fast)
	for range 40 {
		v.next()
	}
	if n := fast.AudioHub().Stats().Frames; n != 0 {
		t.Fatalf("%d sound units at 2×", n)
	}
}
