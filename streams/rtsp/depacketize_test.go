package rtsp

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pion/rtp"
)

// errAny stands for any error but the depacketizers' sentinels in a
// pktStep's want.
var errAny = errors.New("an error")

// pktStep is one packet given to a depacketizer and what it must answer.
type pktStep struct {
	payload []byte
	seq     uint16
	ts      uint32
	marker  bool
	want    [][]byte // the unit it completes
	err     error    // nil, errMorePackets, errNoStart or errAny
	errText string   // a part of the error's text, if any
}

// runSteps feeds the steps' packets to decode, each payload from a buffer
// overwritten after the call as the connection's read buffer is, and
// checks every answer, and at the end that no unit changed since.
func runSteps(t *testing.T, decode func(*rtp.Packet) ([][]byte, error), steps []pktStep) {
	t.Helper()
	read := make([]byte, 0, 1<<16)
	type kept struct {
		i    int
		unit [][]byte
	}
	var units []kept
	for i, s := range steps {
		read = append(read[:0], s.payload...)
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: s.seq,
			Timestamp: s.ts, Marker: s.marker}, Payload: read}
		got, err := decode(pkt)
		for j := range read {
			read[j] = 0xee // the next read
		}
		if !errorIs(err, s.err) || (s.errText != "" && (err == nil || !strings.Contains(err.Error(), s.errText))) {
			t.Fatalf("packet %d: error %v, want %v %q", i, err, s.err, s.errText)
		}
		if !sameUnit(got, s.want) {
			t.Fatalf("packet %d: unit %x, want %x", i, got, s.want)
		}
		if got != nil {
			units = append(units, kept{i, got})
		}
	}
	for _, u := range units {
		if !sameUnit(u.unit, steps[u.i].want) {
			t.Fatalf("the unit of packet %d changed to %x", u.i, u.unit)
		}
	}
}

func errorIs(err, want error) bool {
	switch want {
	case nil:
		return err == nil
	case errAny:
		return err != nil && !errors.Is(err, errMorePackets) && !errors.Is(err, errNoStart)
	}
	return errors.Is(err, want)
}

func sameUnit(a, b [][]byte) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// cat joins byte strings.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// sized is a NAL unit of n bytes after its header bytes, none zero.
func sized(n int, header ...byte) []byte {
	b := append([]byte{}, header...)
	for i := range n {
		b = append(b, byte(i%251+1))
	}
	return b
}

func TestFragmentsJoinInOrder(t *testing.T) {
	t.Parallel()
	var f fragments
	f.start(10, []byte{1, 2}, 0x65)
	if err := f.add(11, []byte{3}, 100); err != nil {
		t.Fatal(err)
	}
	if err := f.add(12, []byte{4, 5}, 100); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.buf, []byte{0x65, 1, 2, 3, 4, 5}) {
		t.Fatalf("joined %x", f.buf)
	}
	f.start(65535, []byte{6}, 0x41, 0x01) // a new NAL unit drops the last; the sequence wraps
	if err := f.add(0, []byte{7}, 100); err != nil || !bytes.Equal(f.buf, []byte{0x41, 1, 6, 7}) {
		t.Fatalf("joined %x, %v", f.buf, err)
	}
}

func TestFragmentsDropANALUnitOnLossOrOversize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		seq  uint16
		data []byte
		text string
	}{
		{"lost packet", 12, []byte{1}, "missing"},
		{"repeated packet", 10, []byte{1}, "missing"},
		{"beyond the limit", 11, make([]byte, 8), "NALU size (11) is too big, maximum is 10"},
	} {
		var f fragments
		f.start(10, []byte{1, 2}, 0x65)
		err := f.add(tc.seq, tc.data, 10)
		if err == nil || !strings.Contains(err.Error(), tc.text) || f.open() {
			t.Errorf("%s: %v, open %v", tc.name, err, f.open())
		}
	}
}

func TestAccessUnitsEndAtTheMarker(t *testing.T) {
	t.Parallel()
	a := accessUnit{maxNALUs: 3, maxSize: 100}
	pkt := func(ts uint32, marker bool) *rtp.Packet {
		return &rtp.Packet{Header: rtp.Header{Timestamp: ts, Marker: marker}}
	}
	if _, err := a.push([][]byte{{1}}, pkt(0, false)); err != errMorePackets {
		t.Fatal(err)
	}
	// Without byTimestamp (H.265) a new timestamp does not end a unit.
	if _, err := a.push([][]byte{{2}}, pkt(9, false)); err != errMorePackets {
		t.Fatal(err)
	}
	u, err := a.push([][]byte{{3}}, pkt(9, true))
	if err != nil || !sameUnit(u, [][]byte{{1}, {2}, {3}}) {
		t.Fatalf("unit %x, %v", u, err)
	}
	next, _ := a.push([][]byte{{4}}, pkt(10, true))
	if &next[0] == &u[0] || !sameUnit(u, [][]byte{{1}, {2}, {3}}) {
		t.Fatal("a unit's list was reused")
	}
}

func TestAccessUnitsEndAtANewTimestamp(t *testing.T) {
	t.Parallel()
	a := accessUnit{maxNALUs: 25, maxSize: 100, byTimestamp: true}
	step := func(n byte, ts uint32, marker bool) ([][]byte, error) {
		return a.push([][]byte{{n}}, &rtp.Packet{Header: rtp.Header{Timestamp: ts, Marker: marker}})
	}
	step(1, 0, false)
	step(2, 0, false)
	if u, err := step(3, 90, false); err != nil || !sameUnit(u, [][]byte{{1}, {2}}) {
		t.Fatalf("unit %x, %v", u, err)
	}
	// A new timestamp with the marker ends the last unit, not its own.
	if u, err := step(4, 180, true); err != nil || !sameUnit(u, [][]byte{{3}}) {
		t.Fatalf("unit %x, %v", u, err)
	}
	if u, err := step(5, 270, true); err != nil || !sameUnit(u, [][]byte{{4}}) {
		t.Fatalf("unit %x, %v", u, err)
	}
	if u, err := step(6, 270, true); err != nil || !sameUnit(u, [][]byte{{5}, {6}}) {
		t.Fatalf("unit %x, %v", u, err)
	}
}

func TestAccessUnitLimitsDropTheUnit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		nalus [][]byte
		text  string
	}{
		{"count", [][]byte{{1}, {2}, {3}}, "NALU count (4) exceeds maximum allowed (3)"},
		{"size", [][]byte{make([]byte, 10)}, "access unit size (11) is too big, maximum is 10"},
	} {
		a := accessUnit{maxNALUs: 3, maxSize: 10}
		a.push([][]byte{{0}}, &rtp.Packet{})
		if _, err := a.push(tc.nalus, &rtp.Packet{}); err == nil || err.Error() != tc.text {
			t.Errorf("%s: %v", tc.name, err)
		}
		if u, err := a.push([][]byte{{9}}, &rtp.Packet{Header: rtp.Header{Marker: true}}); err != nil ||
			!sameUnit(u, [][]byte{{9}}) {
			t.Errorf("%s: the next unit is %x, %v", tc.name, u, err)
		}
	}
}

// The depacketizers' waits for more packets are not decode errors.
func TestDepacketizerWaitsAreIncomplete(t *testing.T) {
	t.Parallel()
	for _, err := range []error{errMorePackets, errNoStart, fmt.Errorf("h264: %w", errNoStart)} {
		if !isIncomplete(err) {
			t.Errorf("%v is a decode error", err)
		}
	}
	if isIncomplete(errors.New("discarding frame since a RTP packet is missing")) {
		t.Error("a lost packet is not a decode error")
	}
}
