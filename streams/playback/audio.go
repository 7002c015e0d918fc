package playback

import (
	"fmt"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/g711"

	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

// Recorded sound goes with the picture at 1× only: at any other speed
// (or paused) the audio hub stays silent.

// audioTrackOf is the hub track of a segment's sound, as the live audio
// hub carries it; false when there is none or it cannot be played.
// Segments hold G.711 as 16-bit PCM (fMP4 has no G.711 entry): it is
// played back as A-law, the law of the station cameras.
func audioTrackOf(a segstore.AudioInit) (media.Track, bool) {
	switch a.Codec {
	case media.CodecAAC:
		return media.Track{Codec: media.CodecAAC, SampleRate: a.SampleRate, Channels: a.Channels, Config: a.Config}, true
	case media.CodecOpus:
		return media.Track{Codec: media.CodecOpus, SampleRate: a.SampleRate, Channels: a.Channels}, true
	case segstore.CodecLPCM:
		if a.SampleRate == 8000 && a.Channels == 1 {
			return media.Track{Codec: media.CodecPCMA, SampleRate: 8000, Channels: 1}, true
		}
	}
	return media.Track{}, false
}

// audioPayload turns a recorded sound sample into the hub's unit payload.
func audioPayload(a segstore.AudioInit, b []byte) ([]byte, error) {
	if a.Codec != segstore.CodecLPCM {
		return b, nil
	}
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("playback: PCM sample of %d bytes", len(b))
	}
	return g711.Alaw(b).Marshal()
}

// sendAudio publishes a sound sample into the player's audio hub.
func (l *loop) sendAudio(s sample) {
	in := l.c.init.Audio
	tr, ok := audioTrackOf(in)
	if !ok {
		return
	}
	raw, err := l.c.raw(s)
	if err == nil {
		raw, err = audioPayload(in, raw)
	}
	if err != nil {
		l.p.log.Warn("playback: cannot read a sound sample", "camera", l.p.opts.Camera, "err", err)
		return
	}
	if !sameTrack(tr, l.audioTrack) || tr.SampleRate != l.audioTrack.SampleRate {
		l.audioTrack = tr
		l.p.audio.SetStatus(hub.Status{State: hub.StateOnline, Track: tr})
	}
	now := time.Now()
	pts := max(now.Sub(l.p.t0), l.lastAudioPTS+time.Microsecond)
	l.lastAudioPTS = pts
	l.p.audio.Publish(&media.AccessUnit{PTS: pts, DTS: pts, Received: now, NALUs: [][]byte{raw}, Key: true})
}
