package rtsp

import (
	"bytes"
	"errors"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/pion/rtp"
)

// h265Depacketizer turns RTP packets of H.265 (RFC 7798, without
// decoding order numbers) into access units: single NAL unit packets,
// aggregation packets and fragmentation units, as gortsplib's rtph265
// decoder does (PACI is refused, as there). Like it, it ends a unit at
// the marker bit only, and does not look for Annex-B.
type h265Depacketizer struct {
	frags fragments
	au    accessUnit
	// started is set by an aggregation packet or a first fragment (not
	// by a single NAL unit packet, as in gortsplib): a fragment without
	// a start after one is an error, not errNoStart.
	started bool
	out     [][]byte // a packet's NAL units, reused: push copies the list
}

func newH265Depacketizer() *h265Depacketizer {
	return &h265Depacketizer{
		au: accessUnit{maxNALUs: h265.MaxNALUsPerAccessUnit, maxSize: h265.MaxAccessUnitSize},
	}
}

// decode returns an access unit when pkt completes one. pkt's payload is
// valid only during the call; the unit's NAL units are the
// depacketizer's copies, never written again.
func (d *h265Depacketizer) decode(pkt *rtp.Packet) ([][]byte, error) {
	nalus, err := d.nalus(pkt)
	if err != nil {
		return nil, err
	}
	return d.au.push(nalus, pkt)
}

// nalus returns the NAL units a packet completes.
func (d *h265Depacketizer) nalus(pkt *rtp.Packet) ([][]byte, error) {
	p := pkt.Payload
	if len(p) < 2 {
		d.frags.reset()
		return nil, errors.New("payload is too short")
	}
	switch h265.NALUType((p[0] >> 1) & 0x3f) {
	case h265.NALUType_AggregationUnit:
		d.frags.reset()
		return d.aggregation(p[2:])
	case h265.NALUType_FragmentationUnit:
		return d.fu(p, pkt.SequenceNumber)
	case h265.NALUType_PACI:
		d.frags.reset()
		return nil, errors.New("PACI packets are not supported (yet)")
	default:
		d.frags.reset()
		d.out = append(d.out[:0], bytes.Clone(p))
		return d.out, nil
	}
}

// aggregation handles an aggregation packet (RFC 7798 4.4.2) without
// its header: 16-bit sizes, each before its NAL unit.
func (d *h265Depacketizer) aggregation(p []byte) ([][]byte, error) {
	var parts [8][]byte // the NAL units in p: most packets hold VPS, SPS, PPS and an SEI
	nalus := parts[:0]
	for {
		if len(p) < 2 {
			return nil, errors.New("invalid aggregation unit (invalid size)")
		}
		size := int(p[0])<<8 | int(p[1])
		p = p[2:]
		if size == 0 || size > len(p) {
			return nil, errors.New("invalid aggregation unit (invalid size)")
		}
		nalus, p = append(nalus, p[:size]), p[size:]
		if len(p) == 0 {
			break
		}
	}
	d.started = true
	d.out = d.out[:0]
	for _, n := range nalus {
		d.out = append(d.out, bytes.Clone(n))
	}
	return d.out, nil
}

// fu handles a fragmentation unit (RFC 7798 4.4.3).
func (d *h265Depacketizer) fu(p []byte, seq uint16) ([][]byte, error) {
	if len(p) < 3 {
		d.frags.reset()
		return nil, errors.New("payload is too short")
	}
	start, end := p[2]&0x80 != 0, p[2]&0x40 != 0
	switch {
	case start && end:
		d.frags.reset()
		return nil, errors.New("invalid fragmentation unit (can't contain both a start and end bit)")
	case start:
		// The NAL unit's header: the payload header's F bit, layer id and
		// temporal id, the FU header's type.
		d.frags.start(seq, p[3:], p[0]&0x81|(p[2]&0x3f)<<1, p[1])
		d.started = true
		return nil, errMorePackets
	case !d.frags.open() && !d.started:
		return nil, errNoStart
	case !d.frags.open():
		return nil, errors.New("invalid fragmentation unit (non-starting)")
	}
	if err := d.frags.add(seq, p[3:], h265.MaxAccessUnitSize); err != nil {
		return nil, err
	}
	if !end {
		return nil, errMorePackets
	}
	d.out = append(d.out[:0], bytes.Clone(d.frags.buf))
	d.frags.reset()
	return d.out, nil
}
