package ffmpegtest

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"
)

// RawUnit is one access unit as ffmpeg muxed it, before any normalizer:
// what a camera's depacketizer hands over, parameter sets in-band before
// every keyframe, with the muxer's timestamps in 90 kHz ticks.
type RawUnit struct {
	PTS, DTS int64
	NALUs    [][]byte
}

// RawH264 encodes seconds of a w×h test pattern as H.264 Main at 25 fps
// (1 s GOP, closed, with bframes B-frames between references) and returns
// the raw access units in decoding order.
func RawH264(t testing.TB, w, h, seconds, bframes int) []RawUnit {
	t.Helper()
	ts := encode(t, "testsrc2=size="+strconv.Itoa(w)+"x"+strconv.Itoa(h)+":rate=25", seconds,
		"-c:v", "libx264", "-profile:v", "main", "-bf", strconv.Itoa(bframes), "-g", "25", "-keyint_min", "25",
		"-sc_threshold", "0", "-flags", "+cgop", "-x264-params", "b-pyramid=none:log-level=error")
	return rawUnits(t, ts, func(r *mpegts.Reader, cb mpegts.ReaderOnDataH264Func) {
		r.OnDataH264(r.Tracks()[0], cb)
	})
}

// RawH265 is RawH264 for H.265 (libx265).
func RawH265(t testing.TB, w, h, seconds, bframes int) []RawUnit {
	t.Helper()
	ts := encode(t, "testsrc2=size="+strconv.Itoa(w)+"x"+strconv.Itoa(h)+":rate=25", seconds,
		"-c:v", "libx265", "-preset", "ultrafast",
		"-x265-params", "keyint=25:min-keyint=25:scenecut=0:bframes="+strconv.Itoa(bframes)+":log-level=error")
	return rawUnits(t, ts, func(r *mpegts.Reader, cb mpegts.ReaderOnDataH265Func) {
		r.OnDataH265(r.Tracks()[0], cb)
	})
}

// rawUnits demuxes ts, registering the unit callback with on.
func rawUnits[F ~func(pts, dts int64, au [][]byte) error](t testing.TB, ts []byte, on func(*mpegts.Reader, F)) []RawUnit {
	t.Helper()
	r := &mpegts.Reader{R: bytes.NewReader(ts)}
	if err := r.Initialize(); err != nil {
		t.Fatal(err)
	}
	var units []RawUnit
	on(r, func(pts, dts int64, au [][]byte) error {
		units = append(units, RawUnit{PTS: pts, DTS: dts, NALUs: au})
		return nil
	})
	for r.Read() == nil {
	}
	if len(units) == 0 {
		t.Fatal("ffmpeg gave no access units")
	}
	return units
}
