package webrtc

import (
	"strings"
	"sync"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"vigil/streams/media"
)

// switchTrack is one outgoing track whose codec follows the camera it
// shows: a tile switched from an H.264 camera to an H.265 one keeps its
// SSRC and sequence numbers and changes only the payload type, among the
// codecs the viewer negotiated. pion's static tracks are bound to one
// codec, which would mean a new negotiation per switch.
type switchTrack struct {
	id   string
	kind webrtc.RTPCodecType

	mu     sync.RWMutex
	ssrc   uint32
	writer webrtc.TrackLocalWriter
	types  map[media.Codec]uint8 // negotiated payload type per codec
	ready  chan struct{}         // closed by the first Bind
	once   sync.Once
}

func newSwitchTrack(id string, kind webrtc.RTPCodecType) *switchTrack {
	return &switchTrack{id: id, kind: kind, ready: make(chan struct{})}
}

// Bind learns the negotiated codecs. It is called by pion once the
// answer is set; the track answers with the viewer's preferred codec of
// its kind.
func (t *switchTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	params := ctx.CodecParameters()
	types := map[media.Codec]uint8{}
	var first *webrtc.RTPCodecParameters
	for i, p := range params {
		c := codecOfMime(p.MimeType)
		if c == "" || c.IsAudio() != (t.kind == webrtc.RTPCodecTypeAudio) {
			continue
		}
		if c == media.CodecH264 && !strings.Contains(p.SDPFmtpLine, "packetization-mode=1") {
			continue // fragmented units need mode 1
		}
		if _, seen := types[c]; !seen {
			types[c] = uint8(p.PayloadType)
		}
		if first == nil {
			first = &params[i]
		}
	}
	if first == nil {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	t.mu.Lock()
	t.ssrc = uint32(ctx.SSRC())
	t.writer = ctx.WriteStream()
	t.types = types
	t.mu.Unlock()
	t.once.Do(func() { close(t.ready) })
	return *first, nil
}

// Unbind forgets the connection; writes are dropped from then on.
func (t *switchTrack) Unbind(webrtc.TrackLocalContext) error {
	t.mu.Lock()
	t.writer = nil
	t.mu.Unlock()
	return nil
}

func (t *switchTrack) ID() string                { return t.id }
func (t *switchTrack) RID() string               { return "" }
func (t *switchTrack) StreamID() string          { return "vigil" }
func (t *switchTrack) Kind() webrtc.RTPCodecType { return t.kind }

// accepts reports whether the viewer negotiated codec c. It waits for Bind.
func (t *switchTrack) accepts(c media.Codec) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.types[c]
	return ok
}

// write sends one packet of codec c, reporting whether it went to the
// connection. The header is modified: its SSRC and payload type set.
func (t *switchTrack) write(c media.Codec, h *rtp.Header, payload []byte) (bool, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	pt, ok := t.types[c]
	if t.writer == nil || !ok {
		return false, nil
	}
	h.SSRC = t.ssrc
	h.PayloadType = pt
	_, err := t.writer.WriteRTP(h, payload)
	return true, err
}

// resend writes a packet again as write first sent it.
func (t *switchTrack) resend(h *rtp.Header, payload []byte) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.writer == nil || h.SSRC != t.ssrc {
		return nil
	}
	_, err := t.writer.WriteRTP(h, payload)
	return err
}

// SSRC is the track's SSRC once bound, 0 before.
func (t *switchTrack) SSRC() uint32 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.ssrc
}

func codecOfMime(mime string) media.Codec {
	switch strings.ToLower(mime) {
	case strings.ToLower(webrtc.MimeTypeH264):
		return media.CodecH264
	case strings.ToLower(webrtc.MimeTypeH265):
		return media.CodecH265
	case strings.ToLower(webrtc.MimeTypeOpus):
		return media.CodecOpus
	case strings.ToLower(webrtc.MimeTypePCMA):
		return media.CodecPCMA
	case strings.ToLower(webrtc.MimeTypePCMU):
		return media.CodecPCMU
	}
	return ""
}
