package rtsp

import (
	"errors"
	"fmt"

	"github.com/pion/rtp"
)

// vigil depacketizes a pull's video itself (depacketize_h264.go,
// depacketize_h265.go) rather than with gortsplib's rtph264 and rtph265
// decoders, whose access units it returns for every stream they accept
// (depacketize_diff_test.go compares the two packet by packet), for less
// CPU per camera:
//   - a payload is valid only during the call (the TCP path hands slices
//     of the connection's read buffer), so every byte is copied, once,
//     into memory the depacketizer owns: a NAL unit sent whole into a
//     buffer of its own size, since the GOP cache keeps NAL units for
//     seconds and a buffer shared by several would be held by its
//     smallest part; a fragmented one into a scratch buffer reused from
//     one NAL unit to the next, then at its end fragment into its own;
//   - gortsplib's search of every H.264 NAL unit for an Annex-B start
//     code (depacketize_annexb.go) skips large slices.

// The depacketizers' "not a whole unit yet" answers (isIncomplete).
var (
	errMorePackets = errors.New("need more packets")
	// errNoStart is a fragment whose NAL unit's start was not seen, before
	// any packet that starts something: the pull joined the camera's
	// stream in the middle of a NAL unit, which is normal.
	errNoStart = errors.New("received a non-starting fragment without any previous starting fragment")
)

// fragments puts a fragmented NAL unit back together (H.264 FU-A, H.265
// FU) in buf, which is reused: the depacketizer copies the NAL unit out
// of it at its end fragment.
type fragments struct {
	buf  []byte // the NAL unit so far, header first; empty when none
	next uint16 // the sequence number the next fragment must have
}

func (f *fragments) open() bool { return len(f.buf) > 0 }

func (f *fragments) reset() { f.buf = f.buf[:0] }

// start begins a NAL unit with its header, rebuilt from the fragment's,
// and the first fragment's data.
func (f *fragments) start(seq uint16, data []byte, header ...byte) {
	f.buf = append(append(f.buf[:0], header...), data...)
	f.next = seq + 1
}

// add appends the data of a following fragment. A lost packet or a NAL
// unit beyond limit drops the NAL unit, as gortsplib does.
func (f *fragments) add(seq uint16, data []byte, limit int) error {
	if seq != f.next {
		f.reset()
		return errors.New("discarding frame since a RTP packet is missing")
	}
	if size := len(f.buf) + len(data); size > limit {
		f.reset()
		return fmt.Errorf("NALU size (%d) is too big, maximum is %d", size, limit)
	}
	f.buf = append(f.buf, data...)
	f.next++
	return nil
}

// accessUnit gathers NAL units into access units, ended by the marker
// bit, and with byTimestamp (gortsplib does so for H.264, not for H.265)
// by a packet of another timestamp: some cameras (the FLIR M400) set no
// marker bit.
type accessUnit struct {
	maxNALUs, maxSize int
	byTimestamp       bool

	nalus [][]byte // nil when no unit is open
	size  int
	ts    uint32
	// last is the number of NAL units of the last unit taken: the
	// capacity of the next, which saves the regrowth of each unit's list.
	last int
}

// push adds a packet's NAL units and returns a unit when one is whole,
// else errMorePackets or a limit's error (which drops the unit, as
// gortsplib does).
func (a *accessUnit) push(nalus [][]byte, pkt *rtp.Packet) ([][]byte, error) {
	if a.byTimestamp && a.nalus != nil && pkt.Timestamp != a.ts {
		whole := a.take()
		if err := a.add(nalus, pkt.Timestamp); err != nil {
			return nil, err
		}
		return whole, nil
	}
	if err := a.add(nalus, pkt.Timestamp); err != nil {
		return nil, err
	}
	if !pkt.Marker {
		return nil, errMorePackets
	}
	return a.take(), nil
}

func (a *accessUnit) add(nalus [][]byte, ts uint32) error {
	if n := len(a.nalus) + len(nalus); n > a.maxNALUs {
		a.drop()
		return fmt.Errorf("NALU count (%d) exceeds maximum allowed (%d)", n, a.maxNALUs)
	}
	size := a.size
	for _, n := range nalus {
		size += len(n)
	}
	if size > a.maxSize {
		a.drop()
		return fmt.Errorf("access unit size (%d) is too big, maximum is %d", size, a.maxSize)
	}
	if a.nalus == nil && len(nalus) > 0 {
		a.nalus = make([][]byte, 0, max(a.last, len(nalus)))
	}
	a.nalus = append(a.nalus, nalus...)
	a.size, a.ts = size, ts
	return nil
}

// take hands the unit over: its list is never reused, the unit's
// receiver keeps it.
func (a *accessUnit) take() [][]byte {
	whole := a.nalus
	a.last = len(whole)
	a.drop()
	return whole
}

func (a *accessUnit) drop() {
	a.nalus, a.size = nil, 0
}
