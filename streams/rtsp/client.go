// Package rtsp is vigil's only door to the gortsplib library: the client
// that pulls cameras and the server that simulated cameras use. Keeping the
// library behind this package keeps a later move to its next major version
// small.
package rtsp

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/headers"
	"github.com/pion/rtp"

	"vigil/streams/media"
	"vigil/streams/redact"
)

// ClientOptions configure one pull of a camera stream.
type ClientOptions struct {
	URL string
	// Transport is "auto" (UDP, falling back to TCP), "tcp" or "udp".
	Transport string
	// ConnectTimeout bounds the TCP connect; ReadTimeout bounds every RTSP
	// response and any silence in the media.
	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	// UDPReadBufferSize, when positive, enlarges the socket buffer so bursts
	// of large keyframes are not lost.
	UDPReadBufferSize int
	// Audio pulls the camera's audio track too, when it has one in a codec
	// vigil serves (AAC, G.711 at 8 kHz mono, Opus).
	Audio bool
	// Demand, when set, tells whether anyone watches the stream live:
	// while nobody does, a TCP pull reads its socket once per BatchPeriod
	// instead of once per packet (batchconn.go).
	Demand Demand
	// Secrets are the camera's credentials beyond those in URL (its other
	// stream's, those configured apart): Play's errors quote the camera's
	// own words, which are cleaned of these too.
	Secrets redact.Secrets
}

// Description is what the camera announced and what is pulled.
type Description struct {
	// Video is the pulled video track (Codec empty when the camera offers
	// none that vigil reads), with the parameter sets of the SDP if given.
	Video media.Track
	// Audio is the pulled audio track (Codec empty when none is pulled);
	// SampleRate is its RTP clock rate.
	Audio media.Track
	// Others lists the codecs of tracks that are not pulled.
	Others []media.Codec
}

// Handler receives what a pull produces, from gortsplib's goroutines but
// never concurrently (serialHandler).
type Handler interface {
	// OnDescribe is called once, before any media.
	OnDescribe(Description)
	// OnAccessUnit is called for every complete video access unit (H.264
	// or H.265, as described), with the RTP timestamp unwrapped to 90 kHz
	// ticks.
	OnAccessUnit(nalus [][]byte, pts90k int64, received time.Time)
	// OnAudio is called with the frames of every audio packet and its
	// unwrapped timestamp in ticks of the audio's clock rate.
	OnAudio(frames [][]byte, ticks int64, received time.Time)
	// OnDecodeError is called for packets that could not be depacketized.
	OnDecodeError(error)
}

// Play connects to the camera, pulls its video (and audio) and feeds h until ctx
// is canceled or the stream fails. The error wraps one of the Err values of
// this package where the cause is known; it never contains credentials, not
// even when the camera quotes them in a status reason or its SDP.
func Play(ctx context.Context, opts ClientOptions, h Handler) error {
	u, err := base.ParseURL(opts.URL)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBadURL, redact.URL(opts.URL))
	}
	secrets := redact.Collect(opts.URL).Merge(opts.Secrets)
	playing := new(atomic.Bool)
	conn := new(atomic.Pointer[batchedConn])
	c := newClient(u, opts, playing, conn)
	if err := c.Start2(); err != nil {
		return cleaned(classify(err), secrets)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, c.Close)
	defer stop()

	err = play(c, u, opts.Audio, h, playing, conn)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return cleaned(classify(err), secrets)
}

// newClient makes the gortsplib client of one pull. Over plain RTSP its
// connection is read through a batchedConn, the latest of which (a
// fallback from UDP dials again) is kept in conn.
func newClient(u *base.URL, opts ClientOptions, playing *atomic.Bool, conn *atomic.Pointer[batchedConn]) *gortsplib.Client {
	connectTimeout := opts.ConnectTimeout
	if connectTimeout <= 0 {
		connectTimeout = 5 * time.Second
	}
	dialer := &net.Dialer{Timeout: connectTimeout}
	c := &gortsplib.Client{
		Scheme:            u.Scheme,
		Host:              u.Host,
		ReadTimeout:       opts.ReadTimeout,
		WriteTimeout:      opts.ReadTimeout,
		UDPReadBufferSize: opts.UDPReadBufferSize,
		DialContext:       dialer.DialContext,
		UserAgent:         "vigil",
	}
	// Over RTSPS gortsplib reads through TLS on top of this connection:
	// its bytes may be batched but not split.
	if opts.Demand != nil || u.Scheme == "rtsp" {
		c.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
			nc, err := dialer.DialContext(ctx, network, address)
			if err != nil {
				return nil, err
			}
			bc := newBatchedConn(nc, opts.Demand, batchPacer, playing)
			if u.Scheme == "rtsp" {
				conn.Store(bc)
			}
			return bc, nil
		}
	}
	switch opts.Transport {
	case "tcp":
		t := gortsplib.TransportTCP
		c.Transport = &t
	case "udp":
		t := gortsplib.TransportUDP
		c.Transport = &t
	}
	return c
}

func play(c *gortsplib.Client, u *base.URL, wantAudio bool, h Handler, playing *atomic.Bool, conn *atomic.Pointer[batchedConn]) error {
	h = &serialHandler{h: h}
	desc, _, err := c.Describe(u)
	if err != nil {
		return err
	}
	video, err := findVideo(desc)
	if err != nil {
		return err
	}
	var audio *pull
	if wantAudio {
		if audio, err = findAudio(desc); err != nil {
			return err
		}
	}
	if video == nil {
		d := Description{Others: otherCodecs(desc)}
		h.OnDescribe(d)
		return fmt.Errorf("%w: camera offers %v", ErrUnsupportedCodec, d.Others)
	}
	d := Description{Video: video.track, Others: otherCodecs(desc, video, audio)}
	vp := &videoPath{channel: -1, payloadType: video.format.PayloadType(), decode: video.decode,
		startsClock: video.format.PTSEqualsDTS, h: h}
	for _, p := range []*pull{video, audio} {
		if p == nil {
			continue
		}
		res, err := c.Setup(desc.BaseURL, p.media, 0, 0)
		if err != nil {
			return err
		}
		if p == video {
			vp.channel = interleavedChannel(res)
		}
	}
	if audio != nil {
		d.Audio = audio.track
	}
	h.OnDescribe(d)

	c.OnDecodeError = func(err error) { h.OnDecodeError(err) }
	c.OnPacketRTP(video.media, video.format, vp.onPacket)
	if audio != nil {
		c.OnPacketRTP(audio.media, audio.format, func(pkt *rtp.Packet) {
			pts, ok := c.PacketPTS2(audio.media, pkt)
			if !ok {
				return
			}
			frames, err := audio.decode(pkt)
			switch {
			case err == nil:
				h.OnAudio(frames, pts, time.Now())
			case !isIncomplete(err):
				h.OnDecodeError(err)
			}
		})
	}
	if bc := conn.Load(); bc != nil && vp.channel >= 0 {
		bc.divert(vp.channel, vp.onFrame)
	}
	if _, err := c.Play(nil); err != nil {
		return err
	}
	playing.Store(true)
	return c.Wait()
}

// interleavedChannel returns the RTP channel a SETUP's answer gives the
// track over TCP, as gortsplib takes it, or -1 when the track comes
// another way (UDP) or encrypted (SRTP, which gortsplib decrypts).
func interleavedChannel(res *base.Response) int {
	var th headers.Transport
	if res == nil || th.Unmarshal(res.Header["Transport"]) != nil || th.InterleavedIDs == nil || th.Secure {
		return -1
	}
	return th.InterleavedIDs[0]
}

// otherCodecs names every format of the session except those pulled.
func otherCodecs(desc *description.Session, pulled ...*pull) []media.Codec {
	var out []media.Codec
	for _, m := range desc.Medias {
		for _, f := range m.Formats {
			if slices.ContainsFunc(pulled, func(p *pull) bool { return p != nil && p.format == f }) {
				continue
			}
			out = append(out, codecOf(f))
		}
	}
	return out
}

func codecOf(f format.Format) media.Codec {
	switch f := f.(type) {
	case *format.H264:
		return media.CodecH264
	case *format.H265:
		return media.CodecH265
	case *format.MPEG4Audio:
		return media.CodecAAC
	case *format.G711:
		if f.MULaw {
			return media.CodecPCMU
		}
		return media.CodecPCMA
	case *format.Opus:
		return media.CodecOpus
	}
	return media.CodecOther
}
