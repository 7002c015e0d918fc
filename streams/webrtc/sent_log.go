package webrtc

import (
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// The viewer's feedback is answered by the feed itself: its last packets
// are resent when the viewer reports them lost (NACK), and a sender
// report each second tells the viewer which wall-clock time a timestamp
// stands for, so that it plays a camera's audio and video in sync.
// pion's NACK responder and sender-report interceptors did both, at two
// locks, a clock read and an allocation per packet and per viewer, and
// made the feed allocate a header per packet for the history to keep:
// without them, vigilbench's fan-out (160 viewers) took 11-13 % less CPU
// in two side-by-side runs. sentLog keeps a packet's header by value and
// its payload as shared by the camera's viewers, reads the clock once a
// frame, and is locked by the feed once a packet.

// nackHistory is how many sent packets each track keeps to answer NACKs:
// half a second of a 2 Mbit/s camera, a 720p keyframe and what follows
// it, ten round trips of a dispatch centre's network. Older losses are
// answered by the viewer's PLI from the GOP cache.
const nackHistory = 128

// resendInterval is how soon a packet asked again is not resent again:
// a viewer repeats its NACK for a packet still missing after a round
// trip, and a retransmission under way would answer it twice.
const resendInterval = 10 * time.Millisecond

// senderReportInterval is how often a track's sender report goes out, as
// pion's interceptor did.
const senderReportInterval = time.Second

// sentLog is what a feed has sent on its track.
type sentLog struct {
	mu   sync.Mutex
	ring [nackHistory]sentPacket

	// For sender reports: the counts since the track began (RFC 3550
	// 6.4.1: payload octets), and when the last timestamp was first sent.
	packets, octets uint32
	lastTS          uint32
	lastAt          time.Time
	rate            int64 // RTP clock of the last timestamp
}

// sentPacket is one packet as written to the track: SSRC and payload
// type set, the payload shared and never changed (see packetizer).
type sentPacket struct {
	h        rtp.Header
	payload  []byte
	valid    bool
	resentAt time.Time
}

// add records a packet just written.
func (l *sentLog) add(h *rtp.Header, payload []byte) {
	l.mu.Lock()
	p := &l.ring[h.SequenceNumber%nackHistory]
	p.h, p.payload, p.valid, p.resentAt = *h, payload, true, time.Time{}
	l.packets++
	l.octets += uint32(len(payload))
	l.mu.Unlock()
}

// frame records that a frame with timestamp ts (of a codec clocked at
// rate) starts to go out at now.
func (l *sentLog) frame(ts uint32, rate int64, now time.Time) {
	l.mu.Lock()
	l.lastTS, l.lastAt, l.rate = ts, now, rate
	l.mu.Unlock()
}

// lost returns the packets of nack still in the history and not resent
// within resendInterval, appended to out, and marks them resent at now.
func (l *sentLog) lost(out []sentPacket, nack *rtcp.TransportLayerNack, now time.Time) []sentPacket {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, pair := range nack.Nacks {
		pair.Range(func(seq uint16) bool {
			p := &l.ring[seq%nackHistory]
			if p.valid && p.h.SequenceNumber == seq && now.Sub(p.resentAt) >= resendInterval {
				p.resentAt = now
				out = append(out, *p)
			}
			return true
		})
	}
	return out
}

// report returns the sender report of the track ssrc at now, or false
// before its first frame (RFC 3550 6.4: no report before sending).
func (l *sentLog) report(ssrc uint32, now time.Time) (rtcp.SenderReport, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lastAt.IsZero() {
		return rtcp.SenderReport{}, false
	}
	// The timestamp now is the last one moved on by the time since it
	// was sent, in the codec's clock.
	ticks := toTicks(now.Sub(l.lastAt), l.rate)
	return rtcp.SenderReport{
		SSRC:        ssrc,
		NTPTime:     ntpTime(now),
		RTPTime:     l.lastTS + uint32(ticks),
		PacketCount: l.packets,
		OctetCount:  l.octets,
	}, true
}

// ntpTime is t as an NTP timestamp: seconds since 1900 in the high 32
// bits, their fraction in the low 32.
func ntpTime(t time.Time) uint64 {
	const unixToNTP = 2_208_988_800 // seconds from 1900 to 1970
	secs := uint64(t.Unix() + unixToNTP)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}
