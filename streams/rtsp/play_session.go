package rtsp

import (
	"context"
	"errors"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"
	"github.com/pion/rtp"
)

// ErrReaderBehind is returned by a PlaySession write when the reader's
// queue is full: the packets of that write were dropped (in part), so the
// reader's decoder needs a keyframe before anything else is worth sending.
var ErrReaderBehind = errors.New("rtsp: reader is behind; packets dropped")

// PlaySession is one reader of a PlayServer, set up on one path.
type PlaySession struct {
	ctx    context.Context
	cancel context.CancelFunc
	ss     *gortsplib.ServerSession
	stream *gortsplib.ServerStream // this session's own: describes its medias
	path   *serverPath
	creds  Credentials
	tracks Tracks // as described at SETUP

	// playing is guarded by PlayServer.mu.
	playing bool
	// audioSetup is set at PLAY, before Play starts, when the client set
	// the audio media up.
	audioSetup bool
}

// Path returns the path played, without leading slash.
func (ps *PlaySession) Path() string { return ps.path.name }

// Credentials returns what the reader authenticated with at SETUP.
func (ps *PlaySession) Credentials() Credentials { return ps.creds }

// Tracks returns the tracks the reader set up; Audio is nil when the
// path has none or the reader did not ask for it.
func (ps *PlaySession) Tracks() Tracks {
	t := ps.tracks
	if !ps.audioSetup {
		t.Audio = nil
	}
	return t
}

// playOptions send each write at once: the session's queue absorbs
// bursts, and pacing would only add latency.
var playOptions = ServerOptions{BurstPackets: -1}

// WriteVideo packetizes one video access unit for this reader. pts is on
// any clock shared with WriteAudio; it becomes the RTP timestamp.
func (ps *PlaySession) WriteVideo(pts time.Duration, nalus [][]byte) error {
	return queueError(ps.path.writeFrames(ps.path.video, pts, time.Time{}, nalus, playOptions))
}

// WriteAudio packetizes audio frames for this reader; it does nothing
// when the reader did not set audio up.
func (ps *PlaySession) WriteAudio(pts time.Duration, frames [][]byte) error {
	if ps.Tracks().Audio == nil || len(frames) == 0 {
		return nil
	}
	return queueError(ps.path.writeFrames(ps.path.audio, pts, time.Time{}, frames, playOptions))
}

func queueError(err error) error {
	var full liberrors.ErrServerWriteQueueFull
	if errors.As(err, &full) {
		return ErrReaderBehind
	}
	return err
}

// sessionSink writes a path's packets to one session only.
type sessionSink struct{ ss *gortsplib.ServerSession }

// WritePacketRTPWithNTP implements packetSink. Packets go straight to the
// session's queue, without RTCP sender reports: the readers of a relay
// time their media by the RTP timestamps alone. Writing from the Play
// goroutine is safe because the session's medias cannot change while it
// plays: PlayServer offers no PAUSE (gortsplib answers 501), and SETUP is
// refused in the playing state.
func (s sessionSink) WritePacketRTPWithNTP(m *description.Media, pkt *rtp.Packet, _ time.Time) error {
	return s.ss.WritePacketRTP(m, pkt)
}
