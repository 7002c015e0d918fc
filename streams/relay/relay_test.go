package relay

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// The whole chain: camera → owner hub → relay → Puller → local hub. With
// a 4 s GOP, the local hub's first unit is the owner's cached IDR (with
// SPS and PPS), there before the camera's next keyframe; then every frame
// the owner had, in order, on the same timeline.
func TestRelayStartsFromTheCachedGOP(t *testing.T) {
	r := newRig(t, rigOptions{fps: 25, gop: 100})
	ownerReader := r.owner.NewReader()
	defer ownerReader.Close()
	var ownerPending []*media.AccessUnit
	// Wait for a second of frames after the owner's latest keyframe, so
	// the cache holds a GOP that started in the past. (A camera sends an
	// extra IDR when a session starts.)
	var owned []*media.AccessUnit
	for len(owned) < 25 {
		au := next(t, ownerReader, &ownerPending)
		if au.Key {
			owned = owned[:0]
		}
		if au.Key || len(owned) > 0 {
			owned = append(owned, au)
		}
	}
	key := owned[0]
	nextKeyFrame := frameOf(key) + 100

	hubs, release := r.pull(t, testCamera)
	defer release()
	local := hubs.Video.NewReader()
	defer local.Close()
	var pending []*media.AccessUnit
	first := next(t, local, &pending)
	if r.lastSent() >= nextKeyFrame {
		t.Fatalf("first relayed unit came after the camera's next keyframe (frame %d)", nextKeyFrame)
	}
	if !first.Key || frameOf(first) != frameOf(key) {
		t.Fatalf("first relayed unit: key %v frame %d, want the cached IDR of frame %d", first.Key, frameOf(first), frameOf(key))
	}
	checkParamSetsFirst(t, first)

	// Every following unit is the owner's next one, same PTS steps.
	prev := first
	for i := 1; i < 50; i++ {
		for len(owned) <= i {
			owned = append(owned, next(t, ownerReader, &ownerPending))
		}
		au := next(t, local, &pending)
		if frameOf(au) != frameOf(owned[i]) {
			t.Fatalf("relayed unit %d is frame %d, owner had frame %d", i, frameOf(au), frameOf(owned[i]))
		}
		want := owned[i].PTS - owned[i-1].PTS
		if got := au.PTS - prev.PTS; got <= 0 || absDur(got-want) > 20*time.Microsecond {
			t.Fatalf("unit %d: PTS step %v, owner's %v", i, got, want)
		}
		prev = au
	}
	st := hubs.Video.Status()
	if st.State != hub.StateOnline || st.Track.Codec != media.CodecH264 || st.Track.Width != 320 || st.Track.Height != 180 {
		t.Fatalf("local hub status %+v, want online H264 320x180", st)
	}
}

func absDur(d time.Duration) time.Duration { return max(d, -d) }

// checkParamSetsFirst checks that a keyframe starts with SPS and PPS.
func checkParamSetsFirst(t *testing.T, au *media.AccessUnit) {
	t.Helper()
	var types []h264.NALUType
	for _, n := range au.NALUs {
		if typ := h264.NALUType(n[0] & 0x1f); typ != h264.NALUTypeSEI {
			types = append(types, typ)
		}
	}
	if len(types) < 3 || types[0] != h264.NALUTypeSPS || types[1] != h264.NALUTypePPS || types[len(types)-1] != h264.NALUTypeIDR {
		t.Fatalf("keyframe NAL units %v, want SPS, PPS, ..., IDR", types)
	}
}

func TestRelayRefusesAWrongSecret(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{fps: 25, gop: 25, secret: "wrong-secret"})
	waitStatus(t, r.owner, hub.StateOnline, "")
	hubs, release := r.pull(t, testCamera)
	defer release()
	waitStatus(t, hubs.Video, hub.StateOffline, hub.ReasonUnauthorized)
	waitFor(t, "two retries refused too", func() bool { return r.relay.Refused() >= 3 })
	if n := hubs.Video.Stats().Frames; n != 0 {
		t.Fatalf("%d frames relayed with a wrong secret", n)
	}
	logs := r.logs.String()
	if n := strings.Count(logs, "credentials refused"); n != 1 {
		t.Errorf("%d log lines for refusals from one address within a minute, want 1:\n%s", n, logs)
	}
	if strings.Contains(logs, "wrong-secret") || strings.Contains(logs, testSecret) {
		t.Errorf("a secret in the log:\n%s", logs)
	}
}

func TestRelayUnknownCameraIsNotFound(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{fps: 25, gop: 25})
	hubs, release := r.pull(t, "no-such-camera")
	defer release()
	waitStatus(t, hubs.Video, hub.StateOffline, hub.ReasonNotFound)
	sub, releaseSub := r.pull(t, testCamera+"/sub") // the rig's camera has none
	defer releaseSub()
	waitStatus(t, sub.Video, hub.StateOffline, hub.ReasonNotFound)
	if n := r.relay.Refused(); n != 0 {
		t.Errorf("%d refusals logged for a right secret", n)
	}
}

func readAFrame(t *testing.T, h *hub.Hub) {
	t.Helper()
	r := h.NewReader()
	defer r.Close()
	var pending []*media.AccessUnit
	next(t, r, &pending)
}

// A camera's audio goes along on the main path, after the video started.
func TestRelayCarriesAudio(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{fps: 25, gop: 25, audio: media.CodecPCMA})
	waitStatus(t, r.audio, hub.StateOnline, "")
	hubs, release := r.pull(t, testCamera)
	defer release()
	st := waitStatus(t, hubs.Audio, hub.StateOnline, "")
	if st.Track.Codec != media.CodecPCMA || st.Track.SampleRate != 8000 {
		t.Fatalf("relayed audio track %+v, want PCMA 8 kHz", st.Track)
	}
	readAFrame(t, hubs.Audio)
	readAFrame(t, hubs.Video)
}

// A reader whose credentials stop holding is cut off at the next recheck.
func TestRelayRechecksPlayingReaders(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{fps: 25, gop: 25, recheck: 50 * time.Millisecond})
	hubs, release := r.pull(t, testCamera)
	defer release()
	readAFrame(t, hubs.Video)
	waitFor(t, "one reader", func() bool { return r.relay.Readers() == 1 })
	r.revoked.Store(true)
	waitStatus(t, hubs.Video, hub.StateOffline, "")
	waitFor(t, "the reader cut off", func() bool { return r.relay.Readers() == 0 })
	waitStatus(t, hubs.Video, hub.StateOffline, hub.ReasonUnauthorized) // and its retries refused
}

// A reader's SDP says what the camera sent when it connected: when the
// camera's codec changes, the reader's session ends so it describes anew.
func TestRelayEndsReadersOnCodecChange(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{fps: 25, gop: 25})
	hubs, release := r.pull(t, testCamera)
	defer release()
	readAFrame(t, hubs.Video)
	waitFor(t, "one reader", func() bool { return r.relay.Readers() == 1 })
	st := r.owner.Status()
	st.Track = media.Track{Codec: media.CodecH265, Width: 320, Height: 180}
	r.owner.SetStatus(st)
	waitStatus(t, hubs.Video, hub.StateOffline, "")
}

// Closing the relay and the pulls of it leaves no goroutine behind.
func TestRelayCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("chain", func(t *testing.T) { // its cleanups close everything
		r := newRig(t, rigOptions{fps: 25, gop: 25})
		hubs, release := r.pull(t, testCamera)
		defer release()
		readAFrame(t, hubs.Video)
	})
	checkNoLeaks(t, before)
}
