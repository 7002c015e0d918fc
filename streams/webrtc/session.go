package webrtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// MaxFeeds bounds the video tracks of one session (a 5×5 grid).
const MaxFeeds = 25

// ErrBadOffer is returned for an offer that cannot be answered.
var ErrBadOffer = errors.New("webrtc: unusable offer")

// SessionOptions configure a new session.
type SessionOptions struct {
	// Offer is the viewer's SDP offer: one recvonly video m-line per feed,
	// and optionally recvonly audio m-lines.
	Offer string
	// OnFeed receives the state changes of video feed i.
	OnFeed func(i int, e FeedEvent)
	// OnAudio receives the state changes of audio feed i.
	OnAudio func(i int, e FeedEvent)
	// OnClose is called once when the session ends for any reason.
	OnClose func()
	// GatherTimeout bounds waiting for local ICE candidates.
	GatherTimeout time.Duration
}

// Session is one viewer peer connection carrying one or more feeds.
type Session struct {
	pc      *webrtc.PeerConnection
	feeds   []*Feed
	audio   []*Feed
	onClose func()
	log     *slog.Logger

	candidates    candidateSet  // the viewer's ICE addresses, at most MaxCandidates
	connected     chan struct{} // closed once the peer connection is up
	connectedOnce sync.Once
	closeOnce     sync.Once
	stopReports   chan struct{} // closed by Close: reportLoop ends
	done          chan struct{}
	wg            sync.WaitGroup
}

// NewSession answers opts.Offer. The returned answer carries every local
// candidate, so no trickle is needed.
func (e *Engine) NewSession(ctx context.Context, opts SessionOptions) (*Session, string, error) {
	var cands candidateSet
	if err := cands.addOfferCandidates(opts.Offer); err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrBadOffer, err) // before any ICE agent exists
	}
	pc, err := e.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", err
	}
	s := &Session{pc: pc, onClose: opts.OnClose, log: e.log, done: make(chan struct{}), connected: make(chan struct{}),
		stopReports: make(chan struct{})}
	s.candidates.seen = cands.seen
	answer, err := s.negotiate(ctx, opts)
	if err != nil {
		s.Close()
		return nil, "", err
	}
	s.wg.Add(1)
	go s.reportLoop()
	return s, answer, nil
}

// reportLoop sends the feeds' sender reports every senderReportInterval
// until the session closes.
func (s *Session) reportLoop() {
	defer s.wg.Done()
	t := time.NewTicker(senderReportInterval)
	defer t.Stop()
	var reports []rtcp.Packet
	for {
		select {
		case <-s.stopReports:
			return
		case now := <-t.C:
			reports = reports[:0]
			for _, f := range slices.Concat(s.feeds, s.audio) {
				if r, ok := f.senderReport(now); ok {
					reports = append(reports, &r)
				}
			}
			if len(reports) == 0 {
				continue
			}
			if err := s.pc.WriteRTCP(reports); err != nil {
				s.log.Debug("write sender reports", "err", err)
			}
		}
	}
}

func (s *Session) negotiate(ctx context.Context, opts SessionOptions) (string, error) {
	err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: opts.Offer})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	videos, audios := 0, 0
	for _, t := range s.pc.GetTransceivers() {
		switch t.Kind() {
		case webrtc.RTPCodecTypeVideo:
			videos++
		case webrtc.RTPCodecTypeAudio:
			audios++
		}
	}
	if videos == 0 || videos > MaxFeeds || audios > MaxFeeds {
		return "", fmt.Errorf("%w: %d video and %d audio m-lines, want 1 to %d of each", ErrBadOffer, videos, audios, MaxFeeds)
	}
	for i := 0; i < videos; i++ {
		f, err := s.addFeed(webrtc.RTPCodecTypeVideo, i, opts.OnFeed)
		if err != nil {
			return "", err
		}
		s.feeds = append(s.feeds, f)
	}
	for i := 0; i < audios; i++ {
		f, err := s.addFeed(webrtc.RTPCodecTypeAudio, i, opts.OnAudio)
		if err != nil {
			return "", err
		}
		s.audio = append(s.audio, f)
	}
	s.pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		switch st {
		case webrtc.PeerConnectionStateConnected:
			s.connectedOnce.Do(func() { close(s.connected) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			go s.Close()
		}
	})
	return s.answer(ctx, opts.GatherTimeout)
}

func (s *Session) addFeed(kind webrtc.RTPCodecType, i int, onFeed func(int, FeedEvent)) (*Feed, error) {
	track := newSwitchTrack(fmt.Sprintf("%s%d", kind, i), kind)
	sender, err := s.pc.AddTrack(track)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	var handler func(FeedEvent)
	if onFeed != nil {
		handler = func(e FeedEvent) { onFeed(i, e) }
	}
	f := newFeed(track, s.connected, s.log, handler)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f.readRTCP(sender)
	}()
	return f, nil
}

func (s *Session) answer(ctx context.Context, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("webrtc: gathering candidates: %w", ctx.Err())
	}
	return s.pc.LocalDescription().SDP, nil
}

// Feeds returns the session's feeds, in m-line order.
func (s *Session) Feeds() []*Feed { return s.feeds }

// Feed returns feed i, or nil.
func (s *Session) Feed(i int) *Feed {
	if i < 0 || i >= len(s.feeds) {
		return nil
	}
	return s.feeds[i]
}

// Audio returns audio feed i, or nil.
func (s *Session) Audio(i int) *Feed {
	if i < 0 || i >= len(s.audio) {
		return nil
	}
	return s.audio[i]
}

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Close ends the session: every feed releases its reader and the peer
// connection closes. It is safe to call more than once.
func (s *Session) Close() {
	s.closeOnce.Do(func() {
		close(s.stopReports)
		for _, f := range s.feeds {
			f.close()
		}
		for _, f := range s.audio {
			f.close()
		}
		if err := s.pc.Close(); err != nil {
			s.log.Debug("close peer connection", "err", err)
		}
		s.wg.Wait()
		close(s.done)
		if s.onClose != nil {
			s.onClose()
		}
	})
}

// AddCandidate adds a viewer's trickled ICE candidate (the JSON form of an
// RTCIceCandidate). Empty candidates mark the end of gathering and are
// ignored; one naming address MaxCandidates+1 is refused.
func (s *Session) AddCandidate(c webrtc.ICECandidateInit) error {
	if c.Candidate == "" {
		return nil
	}
	if err := s.candidates.add(c.Candidate); err != nil {
		return err
	}
	return s.pc.AddICECandidate(c)
}
