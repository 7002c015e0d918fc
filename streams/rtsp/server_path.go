package rtsp

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"

	"vigil/streams/media"
)

// serverPath is one stream: a video media, optionally an audio media, and,
// while the server runs, its gortsplib stream.
type serverPath struct {
	name   string
	desc   *description.Session
	video  *serverMedia
	audio  *serverMedia            // nil without audio
	stream *gortsplib.ServerStream // guarded by Server.mu; nil while stopped
	// sink receives the packets: the stream (every reader of the path) or,
	// on a PlayServer, one session.
	sink packetSink

	// clock maps the writers' PTS to wall time for RTCP sender reports, so
	// readers can line audio up with video. Set by the first write after
	// open; guarded by clockMu.
	clockMu   sync.Mutex
	clockSet  bool
	clockPTS  time.Duration
	clockWall time.Time
}

// packetSink takes the RTP packets of a path's medias.
type packetSink interface {
	WritePacketRTPWithNTP(m *description.Media, pkt *rtp.Packet, ntp time.Time) error
}

// serverMedia is one media of a path with its own RTP state, guarded by
// Server.mu held exclusively or by mu with Server.mu shared (writers of
// different medias and paths run in parallel).
type serverMedia struct {
	media *description.Media
	forma format.Format
	codec serverCodec
	clock int // RTP clock rate

	mu     sync.Mutex
	pack   serverPacker
	ssrc   uint32
	seq    uint16
	tsBase uint32
}

// AddPath publishes an H.264 stream at path (no leading slash); sps and
// pps go into the SDP (sprop-parameter-sets).
func (s *Server) AddPath(path string, sps, pps []byte) error {
	return s.AddStream(path, media.Track{Codec: media.CodecH264, SPS: sps, PPS: pps}, nil)
}

// AddStream publishes a stream at path (no leading slash): a video media
// (H.264 or H.265, parameter sets in the SDP) and, when audio is not nil,
// an audio media (AAC, PCMA, PCMU or Opus).
func (s *Server) AddStream(path string, video media.Track, audio *media.Track) error {
	if path == "" || path[0] == '/' {
		return fmt.Errorf("rtsp path %q: want a name without leading slash", path)
	}
	p, err := newServerPath(path, video, audio)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.paths[path]; ok {
		return fmt.Errorf("rtsp path %q exists", path)
	}
	if s.srv != nil {
		if err := p.open(s.srv); err != nil {
			return err
		}
	}
	s.paths[path] = p
	return nil
}

// newServerPath builds the session description and packetizers of a
// video track and an optional audio track.
func newServerPath(path string, video media.Track, audio *media.Track) (*serverPath, error) {
	p := &serverPath{name: path, desc: &description.Session{}}
	var err error
	if video.Codec.IsAudio() {
		return nil, fmt.Errorf("rtsp path %q: %s is not video", path, video.Codec)
	}
	if p.video, err = newServerMedia(description.MediaTypeVideo, video); err != nil {
		return nil, fmt.Errorf("rtsp path %q: %w", path, err)
	}
	p.desc.Medias = append(p.desc.Medias, p.video.media)
	if audio != nil {
		if !audio.Codec.IsAudio() {
			return nil, fmt.Errorf("rtsp path %q: %s is not audio", path, audio.Codec)
		}
		if p.audio, err = newServerMedia(description.MediaTypeAudio, *audio); err != nil {
			return nil, fmt.Errorf("rtsp path %q: %w", path, err)
		}
		p.desc.Medias = append(p.desc.Medias, p.audio.media)
	}
	return p, nil
}

func newServerMedia(typ description.MediaType, t media.Track) (*serverMedia, error) {
	c, ok := serverCodecs[t.Codec]
	if !ok {
		return nil, fmt.Errorf("codec %q not offered", t.Codec)
	}
	f, err := c.format(t)
	if err != nil {
		return nil, err
	}
	m := &serverMedia{
		media: &description.Media{Type: typ, Formats: []format.Format{f}},
		forma: f, codec: c, clock: f.ClockRate(),
	}
	// Fail now, not at the first start, when the packetizer cannot be built.
	if m.pack, err = c.packer(f); err != nil {
		return nil, err
	}
	return m, nil
}

// open creates the gortsplib stream and fresh RTP state (new SSRC, random
// sequence and timestamp base), as a camera does after boot.
func (p *serverPath) open(srv *gortsplib.Server) error {
	st := &gortsplib.ServerStream{Server: srv, Desc: p.desc}
	if err := st.Initialize(); err != nil {
		return fmt.Errorf("rtsp path %q: %w", p.name, err)
	}
	for _, m := range p.medias() {
		if err := m.reset(); err != nil {
			st.Close()
			return fmt.Errorf("rtsp path %q: %w", p.name, err)
		}
	}
	p.clockSet = false
	p.stream = st
	p.sink = st
	return nil
}

func (p *serverPath) medias() []*serverMedia {
	if p.audio == nil {
		return []*serverMedia{p.video}
	}
	return []*serverMedia{p.video, p.audio}
}

// reset draws new RTP identifiers and a fresh packetizer.
func (m *serverMedia) reset() error {
	var r [10]byte
	_, _ = rand.Read(r[:])
	m.ssrc = binary.BigEndian.Uint32(r[0:])
	m.seq = binary.BigEndian.Uint16(r[4:])
	m.tsBase = binary.BigEndian.Uint32(r[6:])
	pack, err := m.codec.packer(m.forma)
	if err != nil {
		return err
	}
	m.pack = pack
	return nil
}

func (p *serverPath) close() {
	if p.stream != nil {
		p.stream.Close()
		p.stream = nil
		p.sink = nil
	}
}

// lookup returns a running path with Server.mu held shared; the caller
// must call s.mu.RUnlock.
func (s *Server) lookup(path string) (*serverPath, error) {
	s.mu.RLock()
	p, ok := s.paths[path]
	switch {
	case !ok:
		s.mu.RUnlock()
		return nil, fmt.Errorf("rtsp path %q: not found", path)
	case p.stream == nil:
		s.mu.RUnlock()
		return nil, ErrServerStopped
	}
	return p, nil
}

// WriteAccessUnit packetizes one access unit (RFC 6184 for H.264: single
// NAL unit, STAP-A or FU-A packets; RFC 7798 for H.265: single, AP or FU)
// and sends it to every reader of path. pts is the presentation time from
// any fixed origin, shared with WriteAudio; it becomes the 90 kHz RTP
// timestamp. While the server is stopped it returns ErrServerStopped.
func (s *Server) WriteAccessUnit(path string, pts time.Duration, nalus [][]byte) error {
	p, err := s.lookup(path)
	if err != nil {
		return err
	}
	defer s.mu.RUnlock()
	return p.writeFrames(p.video, pts, p.wallTime(pts), nalus, s.opts)
}

// WriteAudio packetizes audio frames (AAC access units, Opus packets or
// G.711 sample blocks, consecutive in time) and sends them to every reader
// of path. pts is the time of the first frame on the clock of
// WriteAccessUnit; it becomes the RTP timestamp at the audio clock rate.
func (s *Server) WriteAudio(path string, pts time.Duration, frames [][]byte) error {
	if len(frames) == 0 {
		return errors.New("rtsp: no audio frames")
	}
	p, err := s.lookup(path)
	if err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if p.audio == nil {
		return fmt.Errorf("rtsp path %q: no audio", path)
	}
	return p.writeFrames(p.audio, pts, p.wallTime(pts), frames, s.opts)
}

func (p *serverPath) writeFrames(m *serverMedia, pts time.Duration, ntp time.Time, frames [][]byte, o ServerOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	pkts, err := m.pack(frames)
	if err != nil {
		return err
	}
	return p.write(m, pts, ntp, pkts, o)
}

// WriteRTPPayloads sends each payload as one RTP packet of path's video,
// with the marker bit on the last, bypassing the packetizer: the hook for
// simulating broken cameras (garbage, truncated fragments).
func (s *Server) WriteRTPPayloads(path string, pts time.Duration, payloads [][]byte) error {
	if len(payloads) == 0 {
		return errors.New("rtsp: no payloads")
	}
	p, err := s.lookup(path)
	if err != nil {
		return err
	}
	defer s.mu.RUnlock()
	m := p.video
	m.mu.Lock()
	defer m.mu.Unlock()
	pkts := make([]*rtp.Packet, len(payloads))
	for i, pl := range payloads {
		pkts[i] = &rtp.Packet{
			Header:  rtp.Header{Version: 2, PayloadType: serverVideoPT, Marker: i == len(payloads)-1},
			Payload: pl,
		}
	}
	return p.write(m, pts, p.wallTime(pts), pkts, s.opts)
}

// write stamps packets with the media's own sequence and timestamp (so
// all write methods share one RTP sequence per media) and sends them. A
// packet's own Timestamp is its offset from pts in clock ticks; ntp is the
// wall time of pts, for RTCP sender reports.
func (p *serverPath) write(m *serverMedia, pts time.Duration, ntp time.Time, pkts []*rtp.Packet, o ServerOptions) error {
	ts := m.tsBase + serverRTPTime(pts, m.clock)
	for i, pkt := range pkts {
		if o.BurstPackets > 0 && i > 0 && i%o.BurstPackets == 0 {
			time.Sleep(o.BurstPause)
		}
		off := pkt.Timestamp
		pkt.SSRC = m.ssrc
		pkt.SequenceNumber = m.seq
		pkt.Timestamp = ts + off
		m.seq++
		at := ntp.Add(time.Duration(off) * time.Second / time.Duration(m.clock))
		if err := p.sink.WritePacketRTPWithNTP(m.media, pkt, at); err != nil {
			return err
		}
	}
	return nil
}

// wallTime maps pts to wall time: the first write after open anchors the
// writers' clock to now.
func (p *serverPath) wallTime(pts time.Duration) time.Time {
	p.clockMu.Lock()
	defer p.clockMu.Unlock()
	if !p.clockSet {
		p.clockSet, p.clockPTS, p.clockWall = true, pts, time.Now()
	}
	return p.clockWall.Add(pts - p.clockPTS)
}

// serverRTPTime converts a duration to ticks of a clock rate without
// overflowing for long-running streams (wrapping modulo 2^32, as RTP
// does). Rounding to the nearest tick keeps audio sample positions exact.
func serverRTPTime(d time.Duration, rate int) uint32 {
	sec := d / time.Second
	rem := d % time.Second
	return uint32(int64(sec)*int64(rate) + (int64(rem)*int64(rate)+int64(time.Second)/2)/int64(time.Second))
}
