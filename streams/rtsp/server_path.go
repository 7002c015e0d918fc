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
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/pion/rtp"
)

// serverClockRate is the RTP clock of video (RFC 6184).
const serverClockRate = 90000

// serverPath is one stream: one H.264 media, its RTP state and, while the
// server runs, its gortsplib stream.
type serverPath struct {
	name   string
	desc   *description.Session
	media  *description.Media
	stream *gortsplib.ServerStream // guarded by Server.mu; nil while stopped

	// RTP state, guarded by Server.mu held exclusively or by mu with
	// Server.mu shared (writers of different paths run in parallel).
	mu     sync.Mutex
	enc    *rtph264.Encoder
	ssrc   uint32
	seq    uint16
	tsBase uint32
}

// AddPath publishes an H.264 stream at path (no leading slash); sps and
// pps go into the SDP (sprop-parameter-sets).
func (s *Server) AddPath(path string, sps, pps []byte) error {
	if path == "" || path[0] == '/' {
		return fmt.Errorf("rtsp path %q: want a name without leading slash", path)
	}
	forma := &format.H264{PayloadTyp: 96, SPS: sps, PPS: pps, PacketizationMode: 1}
	medi := &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
	p := &serverPath{name: path, media: medi, desc: &description.Session{Medias: []*description.Media{medi}}}
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

// open creates the gortsplib stream and fresh RTP state (new SSRC, random
// sequence and timestamp base), as a camera does after boot.
func (p *serverPath) open(srv *gortsplib.Server) error {
	st := &gortsplib.ServerStream{Server: srv, Desc: p.desc}
	if err := st.Initialize(); err != nil {
		return fmt.Errorf("rtsp path %q: %w", p.name, err)
	}
	var r [10]byte
	_, _ = rand.Read(r[:])
	p.ssrc = binary.BigEndian.Uint32(r[0:])
	p.seq = binary.BigEndian.Uint16(r[4:])
	p.tsBase = binary.BigEndian.Uint32(r[6:])
	p.enc = &rtph264.Encoder{PayloadType: 96, SSRC: &p.ssrc, PacketizationMode: 1}
	if err := p.enc.Init(); err != nil {
		st.Close()
		return err
	}
	p.stream = st
	return nil
}

func (p *serverPath) close() {
	if p.stream != nil {
		p.stream.Close()
		p.stream = nil
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

// WriteAccessUnit packetizes one access unit (RFC 6184: single NAL unit,
// STAP-A or FU-A packets) and sends it to every reader of path. pts is the
// presentation time from any fixed origin; it becomes the 90 kHz RTP
// timestamp. While the server is stopped it returns ErrServerStopped.
func (s *Server) WriteAccessUnit(path string, pts time.Duration, nalus [][]byte) error {
	p, err := s.lookup(path)
	if err != nil {
		return err
	}
	defer s.mu.RUnlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	pkts, err := p.enc.Encode(nalus)
	if err != nil {
		return err
	}
	return p.write(pts, pkts, s.opts)
}

// WriteRTPPayloads sends each payload as one RTP packet of path, with the
// marker bit on the last, bypassing the packetizer: the hook for
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
	p.mu.Lock()
	defer p.mu.Unlock()
	pkts := make([]*rtp.Packet, len(payloads))
	for i, pl := range payloads {
		pkts[i] = &rtp.Packet{
			Header:  rtp.Header{Version: 2, PayloadType: 96, Marker: i == len(payloads)-1},
			Payload: pl,
		}
	}
	return p.write(pts, pkts, s.opts)
}

// write stamps packets with the path's own sequence and timestamp (so both
// write methods share one RTP sequence) and sends them.
func (p *serverPath) write(pts time.Duration, pkts []*rtp.Packet, o ServerOptions) error {
	ts := p.tsBase + serverRTPTime(pts)
	for i, pkt := range pkts {
		if o.BurstPackets > 0 && i > 0 && i%o.BurstPackets == 0 {
			time.Sleep(o.BurstPause)
		}
		pkt.SSRC = p.ssrc
		pkt.SequenceNumber = p.seq
		pkt.Timestamp = ts
		p.seq++
		if err := p.stream.WritePacketRTP(p.media, pkt); err != nil {
			return err
		}
	}
	return nil
}

// serverRTPTime converts a duration to 90 kHz ticks without overflowing
// for long-running streams (wrapping modulo 2^32, as RTP does).
func serverRTPTime(d time.Duration) uint32 {
	sec := d / time.Second
	rem := d % time.Second
	return uint32(int64(sec)*serverClockRate + int64(rem)*serverClockRate/int64(time.Second))
}
