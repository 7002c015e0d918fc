package transcode

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/opus"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// publisher puts ffmpeg's output on the output hub. It outlives sessions,
// so that output timestamps keep growing across ffmpeg restarts. Only one
// goroutine uses it at a time: the supervisor's, or the session it waits for.
type publisher struct {
	t       *Transcoder
	online  bool // the output hub's status is online for the current track
	track   media.Track
	lastDTS time.Duration
	started bool
}

// reset notes that the output hub went offline: the next keyframe brings
// it back online.
func (p *publisher) reset() { p.online = false }

// setTrack reports the output online with tr unless it already is.
func (p *publisher) setTrack(tr media.Track) {
	if p.online && p.track.Codec == tr.Codec && bytes.Equal(p.track.SPS, tr.SPS) &&
		bytes.Equal(p.track.PPS, tr.PPS) && p.track.Channels == tr.Channels {
		return
	}
	p.online, p.track = true, tr
	p.t.out.SetStatus(hub.Status{State: hub.StateOnline, Track: tr})
	p.t.setPhase(PhaseRunning, "")
}

// sessionOutput is one session's side of the publisher.
type sessionOutput struct {
	p        *publisher
	clock    *sessionClock
	shift    time.Duration // keeps this session's output after the last one's
	synced   bool          // a keyframe has been published in this session
	sps, pps []byte
	channels int
	dog      *watchdog
}

// place maps a session's timestamps to the output timeline, strictly
// growing. Normally a no-op: a restarted session starts at a later live
// edge than where the last one stopped.
func (s *sessionOutput) place(pts, dts time.Duration) (time.Duration, time.Duration) {
	pts, dts = pts+s.shift, dts+s.shift
	if p := s.p; p.started && dts <= p.lastDTS {
		d := p.lastDTS + minStep - dts
		s.shift += d
		pts, dts = pts+d, dts+d
	}
	s.p.started, s.p.lastDTS = true, dts
	s.dog.output()
	return pts, dts
}

// read demuxes ffmpeg's stdout until it ends.
func (s *sessionOutput) read(r io.Reader, kind Kind, onErr func(error)) error {
	mr := &mpegts.Reader{R: bufio.NewReaderSize(r, 64<<10)}
	if err := mr.Initialize(); err != nil {
		return fmt.Errorf("reading ffmpeg output: %w", err)
	}
	mr.OnDecodeError(onErr)
	found := false
	for _, tr := range mr.Tracks() {
		switch c := tr.Codec.(type) {
		case *mpegts.CodecH264:
			if kind == VideoToH264 && !found {
				mr.OnDataH264(tr, s.video)
				found = true
			}
		case *mpegts.CodecOpus:
			if kind == AudioToOpus && !found {
				s.channels = c.ChannelCount
				mr.OnDataOpus(tr, s.audio)
				found = true
			}
		}
	}
	if !found {
		return errors.New("ffmpeg output carries no track of the expected codec")
	}
	for {
		if err := mr.Read(); err != nil {
			return err
		}
	}
}

// video publishes one H.264 access unit. Units before the session's first
// keyframe are dropped: no decoder could use them.
func (s *sessionOutput) video(pts, dts int64, au [][]byte) error {
	if len(au) == 0 {
		return nil
	}
	key := h264.IsRandomAccess(au)
	if !key && !s.synced {
		return nil
	}
	if key {
		if p := findParams(media.CodecH264, au); p.sps != nil && p.pps != nil {
			s.sps, s.pps = p.sps, p.pps
		}
		if s.sps == nil || s.pps == nil {
			return nil
		}
		au = keyframeH264(au, s.sps, s.pps)
		s.p.setTrack(h264Track(s.sps, s.pps))
		s.synced = true
	} else {
		au = dropAUD(au)
	}
	p, d := s.place(s.clock.fromFFmpeg(pts, dts))
	s.p.t.out.Publish(&media.AccessUnit{PTS: p, DTS: d, Received: time.Now(), NALUs: au, Key: key})
	return nil
}

// audio publishes Opus packets, one unit each, 20 ms apart as encoded.
func (s *sessionOutput) audio(pts int64, packets [][]byte) error {
	if !s.synced {
		s.p.setTrack(media.Track{Codec: media.CodecOpus, SampleRate: 48000, Channels: s.channels})
		s.synced = true
	}
	at, _ := s.clock.fromFFmpeg(pts, pts)
	for _, pkt := range packets {
		p, _ := s.place(at, at)
		s.p.t.out.Publish(&media.AccessUnit{PTS: p, DTS: p, Received: time.Now(), NALUs: [][]byte{pkt}, Key: true})
		at += time.Duration(opus.PacketDuration2(pkt)) * time.Second / 48000
	}
	return nil
}

// h264Track describes the output from its parameter sets.
func h264Track(sps, pps []byte) media.Track {
	tr := media.Track{Codec: media.CodecH264, SPS: sps, PPS: pps}
	var s h264.SPS
	if s.Unmarshal(sps) == nil {
		tr.Width, tr.Height = s.Width(), s.Height()
	}
	return tr
}
