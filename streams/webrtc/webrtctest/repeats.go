package webrtctest

import (
	"errors"
	"hash/crc32"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// repeats tells packets that come again (retransmissions answering a
// NACK) and checks each against the first arrival of its sequence number.
// One per track, used by its reader only.
type repeats struct {
	track int
	seen  [1 << 16]bool
	sum   [1 << 16]uint32
}

// see records pkt; true when its sequence number came before.
func (rp *repeats) see(r *Receiver, pkt *rtp.Packet) bool {
	seq := pkt.SequenceNumber
	sum := crc32.ChecksumIEEE(pkt.Payload)
	rp.seen[seq+1<<15] = false // half the number space ago: forget, for wrap-around
	if !rp.seen[seq] {
		rp.seen[seq], rp.sum[seq] = true, sum
		return false
	}
	r.repeated.Add(1)
	r.again.add(rp.track, seq)
	if rp.sum[seq] != sum {
		r.repeatedWrong.Add(1)
	}
	return true
}

// Repeats returns how many packets came again with a sequence number
// already received (retransmissions), and how many of them carried
// another payload than the first time (a sender bug).
func (r *Receiver) Repeats() (repeated, wrong uint64) {
	return r.repeated.Load(), r.repeatedWrong.Load()
}

// repeatedSeqs is which sequence numbers of each track came again.
type repeatedSeqs struct {
	mu   sync.Mutex
	seqs map[int]map[uint16]bool
}

func (rs *repeatedSeqs) add(track int, seq uint16) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.seqs == nil {
		rs.seqs = map[int]map[uint16]bool{}
	}
	if rs.seqs[track] == nil {
		rs.seqs[track] = map[uint16]bool{}
	}
	rs.seqs[track][seq] = true
	delete(rs.seqs[track], seq+1<<15) // half the number space ago, as repeats forgets
}

// NotRepeated returns those of seqs that have not come again on track i:
// what a receiver still waits for after a NACK, and asks for again when
// the NACK or the retransmission was lost.
func (r *Receiver) NotRepeated(i int, seqs []uint16) []uint16 {
	r.again.mu.Lock()
	defer r.again.mu.Unlock()
	var out []uint16
	for _, s := range seqs {
		if !r.again.seqs[i][s] {
			out = append(out, s)
		}
	}
	return out
}

// SendNACK asks the sender of track i to send the packets seqs again.
func (r *Receiver) SendNACK(i int, seqs ...uint16) error {
	trs := r.pc.GetTransceivers()
	if i >= len(trs) || trs[i].Receiver() == nil || trs[i].Receiver().Track() == nil {
		return errors.New("webrtctest: no such track")
	}
	ssrc := uint32(trs[i].Receiver().Track().SSRC())
	var pairs []rtcp.NackPair
	for _, s := range seqs {
		pairs = append(pairs, rtcp.NackPair{PacketID: s})
	}
	return r.pc.WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: ssrc, Nacks: pairs}})
}
