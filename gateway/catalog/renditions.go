package catalog

import (
	"sync"

	"vigil/streams/hub"
	"vigil/streams/transcode"
	"vigil/streams/webrtc"
)

// Transcoders makes a camera's transcoders on first use. A camera seen by
// nobody who needs a transcode never has one: most of a station's
// hundreds of cameras send H.264 that browsers take as is.
type Transcoders struct {
	// New builds a transcoder of kind from in; nil turns transcoding off.
	New func(kind transcode.Kind, in *hub.Hub, id string) *transcode.Transcoder
	// Missing is true when the ffmpeg binary was not found at start: the
	// cameras that need it say so before anyone tries to watch them.
	Missing bool

	mu   sync.Mutex
	made map[*hub.Hub]*transcode.Transcoder
}

// of returns the transcoder of kind for in, making it on first use; nil
// when transcoding is off.
func (t *Transcoders) of(kind transcode.Kind, in *hub.Hub, id string) *transcode.Transcoder {
	if t == nil || t.New == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr, ok := t.made[in]; ok {
		return tr
	}
	if t.made == nil {
		t.made = map[*hub.Hub]*transcode.Transcoder{}
	}
	tr := t.New(kind, in, id)
	t.made[in] = tr
	return tr
}

// Existing returns the transcoder made for in, or nil.
func (t *Transcoders) Existing(in *hub.Hub) *transcode.Transcoder {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.made[in]
}

// Close stops every transcoder made.
func (t *Transcoders) Close() {
	if t == nil {
		return
	}
	t.mu.Lock()
	made := t.made
	t.made = nil
	t.mu.Unlock()
	for _, tr := range made {
		tr.Close()
	}
}

// lazy is a transcoder made when a viewer first needs it, not when a
// stream is handed out.
type lazy struct {
	t    *Transcoders
	kind transcode.Kind
	in   *hub.Hub
	id   string
}

func (l lazy) Output() *hub.Hub          { return l.t.of(l.kind, l.in, l.id).Output() }
func (l lazy) Acquire() (release func()) { return l.t.of(l.kind, l.in, l.id).Acquire() }

func (c *Camera) stream(kind transcode.Kind, h *hub.Hub, suffix string) *webrtc.Stream {
	s := &webrtc.Stream{Native: h}
	if c.transcoders != nil && c.transcoders.New != nil {
		s.Transcode = lazy{t: c.transcoders, kind: kind, in: h, id: h.ID() + suffix}
	}
	return s
}

// Video returns the camera's video stream of quality q (falling back to
// main), with its H.264 transcode for viewers that cannot take it as is.
func (c *Camera) Video(q Quality) *webrtc.Stream {
	return c.stream(transcode.VideoToH264, c.Hub(q), "/h264")
}

// Audio returns the camera's audio stream with its Opus transcode, or nil
// when the camera's audio is not pulled.
func (c *Camera) Audio() *webrtc.Stream {
	if c.AudioHub == nil {
		return nil
	}
	return c.stream(transcode.AudioToOpus, c.AudioHub, "/opus")
}

// Transcoding reports whether transcoders can be made, and whether ffmpeg
// was found.
func (c *Camera) Transcoding() (on, found bool) {
	t := c.transcoders
	if t == nil || t.New == nil {
		return false, false
	}
	return true, !t.Missing
}

// Transcoder returns the transcoder made for the camera's hub h, or nil
// (for status reports).
func (c *Camera) Transcoder(h *hub.Hub) *transcode.Transcoder { return c.transcoders.Existing(h) }

// Playback returns the streams of a playback session of this camera: its
// own video and sound hubs, each with a transcode of its own (H.264 for
// viewers that cannot take the video as is, Opus for sound), made on first
// use. close stops those transcodes: call it when the session ends.
func (c *Camera) Playback(video, sound *hub.Hub) (v, a *webrtc.Stream, close func()) {
	own := &Transcoders{}
	if c.transcoders != nil {
		own.New, own.Missing = c.transcoders.New, c.transcoders.Missing
	}
	mk := func(kind transcode.Kind, h *hub.Hub, suffix string) *webrtc.Stream {
		s := &webrtc.Stream{Native: h}
		if own.New != nil {
			s.Transcode = lazy{t: own, kind: kind, in: h, id: h.ID() + suffix}
		}
		return s
	}
	return mk(transcode.VideoToH264, video, "/h264"), mk(transcode.AudioToOpus, sound, "/opus"), own.Close
}
