package rtsp

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/rtp"
)

// h264Depacketizer turns RTP packets of H.264 (RFC 6184) into access
// units: single NAL unit packets, STAP-A and FU-A, as gortsplib's rtph264
// decoder does (STAP-B, MTAP and FU-B are refused, as there).
type h264Depacketizer struct {
	frags fragments
	au    accessUnit
	// started is set by the first packet that starts something; a
	// fragment without a start before it is then an error, not errNoStart.
	started bool
	// annexB is set for good once a NAL unit holds an Annex-B start code:
	// the camera wraps its NAL units (depacketize_annexb.go).
	annexB bool
	// wraps tells a NAL unit that turns annexB on: wrapsAnnexB. The
	// differential test puts gortsplib's full search in its place.
	wraps func(nalu []byte) bool
	out   [][]byte // a packet's NAL units, reused: push copies the list
}

func newH264Depacketizer() *h264Depacketizer {
	return &h264Depacketizer{
		au:    accessUnit{maxNALUs: h264.MaxNALUsPerAccessUnit, maxSize: h264.MaxAccessUnitSize, byTimestamp: true},
		wraps: wrapsAnnexB,
	}
}

// decode returns an access unit when pkt completes one. pkt's payload is
// valid only during the call; the unit's NAL units are the
// depacketizer's copies, never written again.
func (d *h264Depacketizer) decode(pkt *rtp.Packet) ([][]byte, error) {
	nalus, err := d.nalus(pkt)
	if err != nil {
		return nil, err
	}
	return d.au.push(nalus, pkt)
}

// nalus returns the NAL units a packet completes.
func (d *h264Depacketizer) nalus(pkt *rtp.Packet) ([][]byte, error) {
	p := pkt.Payload
	if len(p) < 1 {
		d.frags.reset()
		return nil, errors.New("payload is too short")
	}
	switch typ := h264.NALUType(p[0] & 0x1f); typ {
	case h264.NALUTypeFUA:
		return d.fuA(p, pkt.SequenceNumber)
	case h264.NALUTypeSTAPA:
		d.frags.reset()
		return d.stapA(p[1:])
	case h264.NALUTypeSTAPB, h264.NALUTypeMTAP16, h264.NALUTypeMTAP24, h264.NALUTypeFUB:
		d.frags.reset()
		d.started = true
		return nil, fmt.Errorf("packet type not supported (%v)", typ)
	default:
		d.frags.reset()
		d.started = true
		return d.own(p)
	}
}

// fuA handles a fragmentation unit (RFC 6184 5.8).
func (d *h264Depacketizer) fuA(p []byte, seq uint16) ([][]byte, error) {
	if len(p) < 2 {
		return nil, errors.New("invalid FU-A packet (invalid size)")
	}
	start, end := p[1]&0x80 != 0, p[1]&0x40 != 0
	switch {
	case start:
		// The NAL unit's header: the indicator's NRI, the FU header's type.
		d.frags.start(seq, p[2:], p[0]&0x60|p[1]&0x1f)
		d.started = true
		// RFC 6184 forbids start and end in one FU, yet some cameras
		// (CostarHD) send a small P-frame so; gortsplib takes it.
		if !end {
			return nil, errMorePackets
		}
	case !d.frags.open() && !d.started:
		return nil, errNoStart
	case !d.frags.open():
		return nil, errors.New("invalid FU-A packet (non-starting)")
	default:
		if err := d.frags.add(seq, p[2:], h264.MaxAccessUnitSize); err != nil {
			return nil, err
		}
		if !end {
			return nil, errMorePackets
		}
	}
	nalus, err := d.own(d.frags.buf)
	d.frags.reset()
	return nalus, err
}

// stapA handles an aggregation packet (RFC 6184 5.7.1) without its
// indicator: 16-bit sizes, each before its NAL unit. A zero size
// followed by zeros only is padding.
func (d *h264Depacketizer) stapA(p []byte) ([][]byte, error) {
	var parts [8][]byte // the NAL units in p: most packets hold SPS, PPS and an SEI
	nalus := parts[:0]
	for {
		if len(p) < 2 {
			return nil, errors.New("invalid STAP-A packet (invalid size)")
		}
		size := int(p[0])<<8 | int(p[1])
		p = p[2:]
		if size == 0 && isAllZero(p) {
			break
		}
		if size == 0 || size > len(p) {
			return nil, errors.New("invalid STAP-A packet (invalid size)")
		}
		nalus, p = append(nalus, p[:size]), p[size:]
		if len(p) == 0 {
			break
		}
	}
	if len(nalus) == 0 {
		return nil, errors.New("STAP-A packet doesn't contain any NALU")
	}
	d.started = true
	if len(nalus) == 1 {
		return d.own(nalus[0])
	}
	d.out = d.out[:0]
	for _, n := range nalus {
		d.out = append(d.out, bytes.Clone(n))
	}
	return d.out, nil
}

// own copies a packet's one NAL unit out of memory the depacketizer does
// not own (the payload, or the fragments' buffer), split as Annex-B when
// the camera wraps its NAL units. Like gortsplib, it looks for Annex-B
// only where a packet gives one NAL unit.
func (d *h264Depacketizer) own(nalu []byte) ([][]byte, error) {
	if !d.annexB && d.wraps(nalu) {
		d.annexB = true
	}
	if d.annexB {
		return unwrapAnnexB(nalu)
	}
	d.out = append(d.out[:0], bytes.Clone(nalu))
	return d.out, nil
}

func isAllZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
