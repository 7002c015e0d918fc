// Package rtsp is vigil's only door to the gortsplib library: the client
// that pulls cameras and the server that simulated cameras use. Keeping the
// library behind this package keeps a later move to its next major version
// small.
package rtsp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/pion/rtp"

	"vigil/streams/media"
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
}

// Description is what the camera announced.
type Description struct {
	// SPS and PPS come from the SDP (sprop-parameter-sets), if given.
	SPS, PPS []byte
	// Others lists the codecs of tracks that are not pulled.
	Others []media.Codec
}

// Handler receives what a pull produces, from gortsplib's goroutines but
// never concurrently.
type Handler interface {
	// OnDescribe is called once, before any access unit.
	OnDescribe(Description)
	// OnAccessUnit is called for every complete H.264 access unit, with the
	// RTP timestamp unwrapped to 90 kHz ticks.
	OnAccessUnit(nalus [][]byte, pts90k int64, received time.Time)
	// OnDecodeError is called for packets that could not be depacketized.
	OnDecodeError(error)
}

// Play connects to the camera, pulls its H.264 track and feeds h until ctx
// is canceled or the stream fails. The error wraps one of the Err values of
// this package where the cause is known; it never contains credentials.
func Play(ctx context.Context, opts ClientOptions, h Handler) error {
	u, err := base.ParseURL(opts.URL)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBadURL, Redact(opts.URL))
	}
	c := newClient(u, opts)
	if err := c.Start2(); err != nil {
		return classify(err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, c.Close)
	defer stop()

	err = play(c, u, h)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return classify(err)
}

func newClient(u *base.URL, opts ClientOptions) *gortsplib.Client {
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

func play(c *gortsplib.Client, u *base.URL, h Handler) error {
	desc, _, err := c.Describe(u)
	if err != nil {
		return err
	}
	var forma *format.H264
	medi := desc.FindFormat(&forma)
	others := otherCodecs(desc, forma)
	if medi == nil {
		h.OnDescribe(Description{Others: others})
		return fmt.Errorf("%w: camera offers %v", ErrUnsupportedCodec, others)
	}
	dec, err := forma.CreateDecoder()
	if err != nil {
		return err
	}
	if _, err := c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		return err
	}
	h.OnDescribe(Description{SPS: forma.SPS, PPS: forma.PPS, Others: others})

	c.OnDecodeError = func(err error) { h.OnDecodeError(err) }
	c.OnPacketRTP(medi, forma, func(pkt *rtp.Packet) {
		pts, ok := c.PacketPTS2(medi, pkt)
		if !ok {
			return
		}
		nalus, err := dec.Decode(pkt)
		if err != nil {
			if !errors.Is(err, rtph264.ErrMorePacketsNeeded) && !errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) {
				h.OnDecodeError(err)
			}
			return
		}
		h.OnAccessUnit(nalus, pts, time.Now())
	})
	if _, err := c.Play(nil); err != nil {
		return err
	}
	return c.Wait()
}

// otherCodecs names every format of the session except the one pulled.
func otherCodecs(desc *description.Session, pulled format.Format) []media.Codec {
	var out []media.Codec
	for _, m := range desc.Medias {
		for _, f := range m.Formats {
			if f == pulled {
				continue
			}
			out = append(out, codecOf(f))
		}
	}
	return out
}

func codecOf(f format.Format) media.Codec {
	switch f.(type) {
	case *format.H264:
		return media.CodecH264
	case *format.H265:
		return media.CodecH265
	case *format.MPEG4Audio:
		return media.CodecAAC
	case *format.G711:
		return media.CodecG711
	case *format.Opus:
		return media.CodecOpus
	}
	return media.CodecOther
}

// Redact removes credentials from an RTSP URL so it can be logged.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// Unparseable: keep only what is certainly not a secret.
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "rtsp://***@" + raw[i+1:]
		}
		return "(invalid url)"
	}
	if u.User != nil {
		u.User = url.User("***")
	}
	return u.String()
}
