package transcode

import (
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/opus"

	"vigil/streams/hub"
	"vigil/streams/media"
)

func TestAACToOpus(t *testing.T) {
	needFFmpeg(t)
	for _, channels := range []int{1, 2} {
		c := aacClip(t, 4, channels)
		in := hub.New(hub.Options{ID: "cam/audio"})
		p := play(in, c)
		tc := New(Options{Kind: AudioToOpus, Input: in, ID: "cam/opus", Logger: testLogger(t)})
		col := collect(tc.Output())
		release := tc.Acquire()

		col.waitKey(t, time.Time{})
		col.waitUnits(t, 150) // 3 s of 20 ms packets
		if lag := time.Duration(p.newest.Load() - col.newest.Load()); lag > 500*time.Millisecond {
			t.Errorf("%d channels: output lags input by %v", channels, lag)
		}
		status := tc.Output().Status()
		release()
		tc.Close()
		col.stop()
		p.stop()

		if tr := status.Track; status.State != hub.StateOnline || tr.Codec != media.CodecOpus ||
			tr.SampleRate != 48000 || tr.Channels != channels {
			t.Errorf("%d channels: output status %s track %+v, want online Opus 48000 Hz", channels, status.State, tr)
		}
		units, _ := col.snapshot()
		span := units[len(units)-1].PTS - units[0].PTS
		rate := float64(len(units)-1) / span.Seconds()
		t.Logf("%d channels: %d Opus packets over %v: %.1f/s", channels, len(units), span, rate)
		if rate < 48 || rate > 52 {
			t.Errorf("%d channels: %.1f packets/s, want about 50", channels, rate)
		}
		for i, u := range units {
			if d := opus.PacketDuration2(u.NALUs[0]); d != 960 {
				t.Fatalf("packet %d lasts %d samples, want 960 (20 ms)", i, d)
			}
			if i > 0 && u.PTS <= units[i-1].PTS {
				t.Fatalf("packet %d: PTS %v after %v", i, u.PTS, units[i-1].PTS)
			}
		}
	}
}
