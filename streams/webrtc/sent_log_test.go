package webrtc

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"vigil/internal/testwait"
)

// logPackets adds n packets from sequence number first, each payload
// naming its sequence number.
func logPackets(l *sentLog, first uint16, n int) {
	for i := range n {
		seq := first + uint16(i)
		h := rtp.Header{Version: 2, SSRC: 7, PayloadType: 102, SequenceNumber: seq, Timestamp: 9000}
		l.add(&h, []byte{byte(seq >> 8), byte(seq)})
	}
}

func nackOf(seqs ...uint16) *rtcp.TransportLayerNack {
	return &rtcp.TransportLayerNack{MediaSSRC: 7, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)}
}

func seqsOf(ps []sentPacket) []uint16 {
	var out []uint16
	for _, p := range ps {
		if p.payload[0] != byte(p.h.SequenceNumber>>8) || p.payload[1] != byte(p.h.SequenceNumber) {
			panic("a packet with another's payload")
		}
		out = append(out, p.h.SequenceNumber)
	}
	return out
}

// TestSentLogAnswersNACKsFromItsHistory: a NACK gets the packets still in
// the history, across the wrap of sequence numbers, as they were sent;
// not those pushed out or never sent, and not again within
// resendInterval.
func TestSentLogAnswersNACKsFromItsHistory(t *testing.T) {
	var l sentLog
	logPackets(&l, 65500, nackHistory) // 65500 … 65535, 0 … 91
	now := time.Now()
	got := seqsOf(l.lost(nil, nackOf(65500, 65535, 0, 5, 91, 92, 200), now))
	if want := []uint16{65500, 65535, 0, 5, 91}; !slices.Equal(got, want) {
		t.Fatalf("resent %v, want %v (92 and 200 were never sent)", got, want)
	}
	logPackets(&l, 92, 50) // 92 … 141: 65500 … 13 pushed out
	if got := seqsOf(l.lost(nil, nackOf(65501, 13, 14), now)); !slices.Equal(got, []uint16{14}) {
		t.Fatalf("resent %v, want [14] alone: the others were pushed out of the history", got)
	}
	if got := l.lost(nil, nackOf(14), now.Add(resendInterval/2)); len(got) != 0 {
		t.Fatal("resent again within resendInterval")
	}
	if got := seqsOf(l.lost(nil, nackOf(14), now.Add(resendInterval))); !slices.Equal(got, []uint16{14}) {
		t.Fatalf("asked again after resendInterval: resent %v, want [14]", got)
	}
	p := l.lost(nil, nackOf(100), now)[0]
	if p.h.SSRC != 7 || p.h.PayloadType != 102 || p.h.Timestamp != 9000 {
		t.Fatalf("resent header %+v, not the one sent", p.h)
	}
}

// TestSentLogReport: no report before the first frame; then the last
// frame's timestamp moved on by the time since, in the codec's clock,
// beside the wall-clock time as NTP and the counts of packets and payload
// octets.
func TestSentLogReport(t *testing.T) {
	var l sentLog
	if _, ok := l.report(7, time.Now()); ok {
		t.Fatal("a report before anything was sent")
	}
	t0 := time.Unix(1_700_000_000, 0)
	const last = 1<<32 - 60_000 // the timestamp wraps within the report's 1.5 s
	l.frame(last, 90000, t0)
	logPackets(&l, 1, 3)
	r, ok := l.report(7, t0.Add(1500*time.Millisecond))
	if !ok {
		t.Fatal("no report after a frame")
	}
	want := rtcp.SenderReport{SSRC: 7, NTPTime: (1_700_000_001+2_208_988_800)<<32 | 1<<31,
		RTPTime: 135_000 - 60_000, PacketCount: 3, OctetCount: 6}
	if r.SSRC != want.SSRC || r.NTPTime != want.NTPTime || r.RTPTime != want.RTPTime ||
		r.PacketCount != want.PacketCount || r.OctetCount != want.OctetCount {
		t.Fatalf("report %+v, want %+v", r, want)
	}
}

// TestSenderReportsMapTimestampsToWallClock: a viewer gets sender reports
// for its track, about its SSRC, with growing counts, and their mapping
// of RTP time to wall-clock time places the frames it receives when they
// arrive (on loopback, within a second: a wrong clock rate or epoch is
// off by far more).
func TestSenderReportsMapTimestampsToWallClock(t *testing.T) {
	cam := startFakeCamera(t, 1, 25)
	s, rx := connect(t, newTestEngine(t), 1, nil)
	s.Feed(0).Attach(cam.hub)
	testwait.For(t, "two sender reports", func() bool { _, n := rx.SenderReport(0); return n >= 2 })
	first, _ := rx.SenderReport(0)
	testwait.For(t, "a third", func() bool { _, n := rx.SenderReport(0); return n >= 3 })
	sr, _ := rx.SenderReport(0)
	if sr.SSRC != s.Feed(0).track.SSRC() {
		t.Fatalf("report about SSRC %d, the track's is %d", sr.SSRC, s.Feed(0).track.SSRC())
	}
	if sr.PacketCount <= first.PacketCount || sr.OctetCount <= first.OctetCount {
		t.Fatalf("counts did not grow: %d/%d then %d/%d packets/octets", first.PacketCount, first.OctetCount, sr.PacketCount, sr.OctetCount)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	f, err := rx.Next(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	secs, frac := int64(sr.NTPTime>>32)-2_208_988_800, int64(sr.NTPTime&(1<<32-1))
	reportedAt := time.Unix(secs, frac*int64(time.Second)>>32)
	sentAt := reportedAt.Add(time.Duration(int32(f.Timestamp-sr.RTPTime)) * time.Second / 90000)
	if off := f.Arrived.Sub(sentAt); off < -time.Second || off > time.Second {
		t.Fatalf("a frame arrived %v after the time its timestamp maps to", off)
	}
}
