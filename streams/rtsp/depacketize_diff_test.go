package rtsp

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/pion/rtp"
)

// vigil's depacketizers must answer every packet as gortsplib's decoders
// do: the same units, byte for byte, and an error where they give one,
// of the same kind and text. The one difference allowed is the
// documented one of the Annex-B search (depacketize_annexb.go), and it is
// excluded exactly: a third depacketizer, vigil's with gortsplib's full
// search in place of wrapsAnnexB, is compared with gortsplib on every
// packet, every NAL unit vigil's search looks at is checked to be
// answered as gortsplib's search would or to be missedByDesign, and
// vigil's own is compared up to the packet where, by that miss only, it
// has not turned the Annex-B mode on and the other has.

// FuzzH264Depacketizer and FuzzH265Depacketizer compare the depacketizers
// on the packets packetsOf cuts a fuzz input into. Their seeds are in
// testdata/fuzz (depacketize_seeds_test.go writes them).
func FuzzH264Depacketizer(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { compareWithGortsplib(t, false, packetsOf(data)) })
}

func FuzzH265Depacketizer(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { compareWithGortsplib(t, true, packetsOf(data)) })
}

// A record of packetsOf is a flags byte, a 16-bit length and that many
// bytes of payload (fewer at the end of the input). The flags:
const (
	recMarker   = 1 << 0 // the marker bit
	recTSShift  = 1      // 2 bits: the timestamp's step, of tsSteps
	recSeqShift = 3      // 2 bits: the sequence number's step, of seqSteps
	// recGrow, as the whole flags byte, repeats the payload up to growTo
	// bytes: a few such packets reach the size limits (8 MB). It is rare
	// in mutations, for executions stay quick.
	recGrow = 7 << 5
	growTo  = 1 << 20
)

var (
	tsSteps  = [4]uint32{0, 3600, 1 << 31, 1<<32 - 3600}
	seqSteps = [4]uint16{1, 2, 0, 1<<16 - 1} // next, one lost, repeated, one back
)

// packetsOf cuts fuzz input into a camera's packets.
func packetsOf(data []byte) []*rtp.Packet {
	var pkts []*rtp.Packet
	seq, ts := uint16(65530), uint32(1<<32-7200) // both wrap soon
	for len(data) >= 3 {
		flags := data[0]
		n := min(int(data[1])<<8|int(data[2]), len(data)-3)
		payload := bytes.Clone(data[3 : 3+n])
		data = data[3+n:]
		if flags == recGrow && n > 0 {
			for len(payload) < growTo {
				payload = append(payload, payload[:min(len(payload), growTo-len(payload))]...)
			}
		}
		if len(pkts) > 0 {
			seq += seqSteps[flags>>recSeqShift&3]
			ts += tsSteps[flags>>recTSShift&3]
		}
		pkts = append(pkts, &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq,
			Timestamp: ts, Marker: flags&recMarker != 0}, Payload: payload})
	}
	return pkts
}

// record encodes one packet for packetsOf.
func record(flags byte, payload []byte) []byte {
	return cat([]byte{flags, byte(len(payload) >> 8), byte(len(payload))}, payload)
}

// depacketizer is one of the three compared: decode, and whether its
// Annex-B mode is on.
type depacketizer struct {
	decode func(*rtp.Packet) ([][]byte, error)
	annexB func() bool
}

func gortsplibDecoder(t *testing.T, h265 bool) depacketizer {
	if h265 {
		d := &rtph265.Decoder{}
		if err := d.Init(); err != nil {
			t.Fatal(err)
		}
		return depacketizer{d.Decode, func() bool { return false }}
	}
	d := &rtph264.Decoder{PacketizationMode: 1}
	if err := d.Init(); err != nil {
		t.Fatal(err)
	}
	mode := reflect.ValueOf(d).Elem().FieldByName("annexBMode")
	return depacketizer{d.Decode, mode.Bool}
}

// vigilDepacketizer is vigil's, its Annex-B search given.
func vigilDepacketizer(h265 bool, wraps func([]byte) bool) depacketizer {
	if h265 {
		return depacketizer{newH265Depacketizer().decode, func() bool { return false }}
	}
	d := newH264Depacketizer()
	d.wraps = wraps
	return depacketizer{d.decode, func() bool { return d.annexB }}
}

func compareWithGortsplib(t *testing.T, h265 bool, pkts []*rtp.Packet) {
	t.Helper()
	theirs := gortsplibDecoder(t, h265)
	full := vigilDepacketizer(h265, func(n []byte) bool { return bytes.Contains(n, annexBStartCode) })
	ours := vigilDepacketizer(h265, func(n []byte) bool { checkWrapsAnnexB(t, n); return wrapsAnnexB(n) })
	var read []byte
	type kept struct{ theirs, full, ours [][]byte }
	var units []kept
	comparing := true
	for i, pkt := range pkts {
		theirPkt := *pkt // gortsplib keeps payloads: one of its own
		theirPkt.Payload = bytes.Clone(pkt.Payload)
		tu, terr := theirs.decode(&theirPkt)
		fu, ferr := feed(full, pkt, &read)
		requireSame(t, i, "vigil's with gortsplib's search", tu, terr, fu, ferr)
		if full.annexB() != theirs.annexB() {
			t.Fatalf("packet %d: Annex-B mode %v, gortsplib's %v", i, full.annexB(), theirs.annexB())
		}
		var ou [][]byte
		if comparing {
			var oerr error
			ou, oerr = feed(ours, pkt, &read)
			switch {
			case ours.annexB() && !full.annexB():
				t.Fatalf("packet %d: vigil's search found a start code gortsplib's did not", i)
			case !ours.annexB() && full.annexB():
				comparing = false // the documented miss: from here, vigil's units may differ
				ou = nil
			default:
				requireSame(t, i, "vigil's", tu, terr, ou, oerr)
			}
		}
		units = append(units, kept{tu, fu, ou})
	}
	for i, u := range units { // no unit changed after it was handed over
		if !sameUnit(u.full, u.theirs) || (u.ours != nil && !sameUnit(u.ours, u.theirs)) {
			t.Fatalf("the unit of packet %d changed after it was handed over", i)
		}
	}
}

// feed gives a depacketizer pkt's payload in a buffer overwritten after
// the call, as the connection's read buffer is.
func feed(d depacketizer, pkt *rtp.Packet, read *[]byte) ([][]byte, error) {
	*read = append((*read)[:0], pkt.Payload...)
	p := *pkt
	p.Payload = *read
	u, err := d.decode(&p)
	overwrite(*read)
	return u, err
}

// overwrite fills b with 0xa5 by doubling copies, fast in fuzzing's
// instrumented code too.
func overwrite(b []byte) {
	if len(b) == 0 {
		return
	}
	b[0] = 0xa5
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}

func requireSame(t *testing.T, i int, who string, tu [][]byte, terr error, u [][]byte, err error) {
	t.Helper()
	if kind(err) != kind(terr) || (err != nil && err.Error() != terr.Error()) {
		t.Fatalf("packet %d: %s error %v, gortsplib's %v", i, who, err, terr)
	}
	if !sameUnit(u, tu) {
		t.Fatalf("packet %d: %s unit %x, gortsplib's %x", i, who, u, tu)
	}
}

// kind sorts an error of either side: none, more packets needed, a
// fragment without a start first, or any other.
func kind(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errMorePackets), errors.Is(err, rtph264.ErrMorePacketsNeeded),
		errors.Is(err, rtph265.ErrMorePacketsNeeded):
		return 1
	case errors.Is(err, errNoStart), errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious),
		errors.Is(err, rtph265.ErrNonStartingPacketAndNoPrevious):
		return 2
	}
	return 3
}

// Streams as gortsplib's encoders packetize them (STAP-A and AP of
// parameter sets, FU-A and FU of 1200 bytes), GOPs of NAL units of every
// size, through a network that loses, repeats and reorders packets and a
// camera that sometimes sets no marker bit.
func TestDepacketizersMatchGortsplibOnEncodedStreams(t *testing.T) {
	t.Parallel()
	for _, h265 := range []bool{false, true} {
		for seed := range uint64(20) {
			compareWithGortsplib(t, h265, damaged(encodedStream(t, h265, seed), seed))
		}
	}
}

func encodedStream(t *testing.T, h265 bool, seed uint64) []*rtp.Packet {
	r := rand.New(rand.NewPCG(seed, 1))
	encode := h264Encoder(t)
	if h265 {
		encode = h265Encoder(t)
	}
	var pkts []*rtp.Packet
	ts := r.Uint32()
	for frame := range 50 {
		ps, err := encode(randomUnit(r, h265, frame%25 == 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			p.Timestamp = ts
		}
		pkts = append(pkts, ps...)
		ts += 3600
	}
	return pkts
}

func h264Encoder(t testing.TB) func([][]byte) ([]*rtp.Packet, error) {
	e := &rtph264.Encoder{PayloadType: 96, PayloadMaxSize: 1200, PacketizationMode: 1}
	if err := e.Init(); err != nil {
		t.Fatal(err)
	}
	return e.Encode
}

func h265Encoder(t testing.TB) func([][]byte) ([]*rtp.Packet, error) {
	e := &rtph265.Encoder{PayloadType: 96, PayloadMaxSize: 1200}
	if err := e.Init(); err != nil {
		t.Fatal(err)
	}
	return e.Encode
}

// randomUnit is an access unit: parameter sets on a keyframe, an SEI,
// slices of random sizes (some small enough to aggregate), their bytes
// free of zeros but for a rare Annex-B start code inside.
func randomUnit(r *rand.Rand, h265 bool, key bool) [][]byte {
	var au [][]byte
	if key && h265 {
		au = append(au, testVPS, testSPS, testPPS)
	} else if key {
		au = append(au, h264SPS, h264PPS)
	}
	switch {
	case h265:
		au = append(au, h265SEI)
	case r.IntN(40) == 0: // wrapped by the camera
		au = append(au, cat(h264SEI, annexBStartCode, h264SEI))
	default:
		au = append(au, h264SEI)
	}
	for range 1 + r.IntN(3) {
		n := []int{50, 300, 1199, 1200, 1201, 5000, 40000}[r.IntN(7)]
		nalu := sized(n, 0x41, 0x01)
		if h265 {
			nalu[0] = 1 << 1
		}
		if r.IntN(20) == 0 {
			copy(nalu[r.IntN(n-4)+2:], annexBStartCode)
		}
		au = append(au, nalu)
	}
	return au
}

// damaged loses, repeats, swaps and unmarks some packets.
func damaged(pkts []*rtp.Packet, seed uint64) []*rtp.Packet {
	r := rand.New(rand.NewPCG(seed, 2))
	var out []*rtp.Packet
	for i := 0; i < len(pkts); i++ {
		p := *pkts[i]
		switch r.IntN(50) {
		case 0:
			continue
		case 1:
			out = append(out, &p)
		case 2:
			if i+1 < len(pkts) {
				out = append(out, pkts[i+1])
				i++
			}
		case 3:
			p.Marker = false
		}
		out = append(out, &p)
	}
	return out
}
