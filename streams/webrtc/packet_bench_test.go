package webrtc

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/srtp/v3"

	"vigil/streams/media"
)

// The per-packet hot path of a WebRTC viewer, piece by piece: cutting a
// 720p access unit into RTP payloads, and SRTP-encrypting one packet.
// Both report allocs/packet; BenchmarkFeedForward measures them together
// with pion's interceptors and the UDP write.

// frame720p is an access unit of a 720p25 2 Mbit/s camera: a 10 kB P-frame
// or, every GOP, a 60 kB IDR with its parameter sets.
func frame720p(key bool) *media.AccessUnit {
	size := 10_000
	if key {
		size = 60_000
	}
	slice := make([]byte, size)
	for i := range slice {
		slice[i] = byte(i*7 + 1) // no zero runs: no start code emulation
	}
	if !key {
		slice[0] = 0x41
		return &media.AccessUnit{NALUs: [][]byte{slice}}
	}
	slice[0] = 0x65
	sps := []byte{0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10}
	pps := []byte{0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0}
	return &media.AccessUnit{NALUs: [][]byte{sps, pps, slice}, Key: true}
}

// BenchmarkH264Payload is the Feed's re-packetization of one access unit,
// and for comparison pion's payloader (from the unit's cached Annex-B, as
// for every viewer after the first).
func BenchmarkH264Payload(b *testing.B) {
	for _, key := range []bool{false, true} {
		b.Run(fmt.Sprintf("feed/key=%v", key), func(b *testing.B) {
			au := frame720p(key)
			var z h264Packetizer
			packets := 0
			m := startPerPacket(b)
			for range b.N {
				packets += len(z.payloads(au.NALUs, rtpPayloadSize))
			}
			m.report(packets)
		})
		b.Run(fmt.Sprintf("pion/key=%v", key), func(b *testing.B) {
			au := frame720p(key)
			au.AnnexB()
			var p codecs.H264Payloader
			packets := 0
			m := startPerPacket(b)
			for range b.N {
				packets += len(p.Payload(rtpPayloadSize, au.AnnexB()))
			}
			m.report(packets)
		})
	}
}

// BenchmarkSRTPEncrypt encrypts one 1200-byte RTP packet into a reused
// buffer, for the profiles browsers negotiate (pion prefers AES-256-GCM).
func BenchmarkSRTPEncrypt(b *testing.B) {
	for _, profile := range []srtp.ProtectionProfile{
		srtp.ProtectionProfileAeadAes128Gcm, srtp.ProtectionProfileAeadAes256Gcm, srtp.ProtectionProfileAes128CmHmacSha1_80,
	} {
		b.Run(profile.String(), func(b *testing.B) {
			keyLen, _ := profile.KeyLen()
			saltLen, _ := profile.SaltLen()
			ctx, err := srtp.CreateContext(make([]byte, keyLen), make([]byte, saltLen), profile)
			if err != nil {
				b.Fatal(err)
			}
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 102, SSRC: 1}, Payload: make([]byte, rtpPayloadSize)}
			plain, err := pkt.Marshal()
			if err != nil {
				b.Fatal(err)
			}
			dst := make([]byte, 0, len(plain)+32)
			b.SetBytes(int64(len(plain)))
			m := startPerPacket(b)
			for i := range b.N {
				pkt.SequenceNumber = uint16(i)
				pkt.Timestamp = uint32(i / 10 * 3600)
				if _, err := pkt.MarshalTo(plain); err != nil {
					b.Fatal(err)
				}
				if dst, err = ctx.EncryptRTP(dst[:0], plain, nil); err != nil {
					b.Fatal(err)
				}
			}
			m.report(b.N)
		})
	}
}

// perPacket reports ns/packet and allocs/packet (every goroutine's
// allocations during the timed loop, per packet sent).
type perPacket struct {
	b       *testing.B
	mallocs uint64
}

func startPerPacket(b *testing.B) perPacket {
	b.ReportAllocs()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ResetTimer()
	return perPacket{b: b, mallocs: ms.Mallocs}
}

func (m perPacket) report(packets int) {
	m.b.StopTimer()
	if packets == 0 {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.b.ReportMetric(float64(m.b.Elapsed().Nanoseconds())/float64(packets), "ns/packet")
	m.b.ReportMetric(float64(ms.Mallocs-m.mallocs)/float64(packets), "allocs/packet")
	m.b.ReportMetric(float64(packets)/float64(m.b.N), "packets/op")
}
