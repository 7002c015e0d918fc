package signal

import (
	"vigil/streams/webrtc"
)

// noAudio is the audio tile of a muted console.
const noAudio = -1

// Audio states beyond the feed's own.
const (
	AudioIdle    = "idle"     // muted
	AudioNoSound = "no_audio" // the tile's camera has no sound to offer
)

// listen makes the console hear tile i (noAudio mutes). Sound follows the
// tile: a new camera on it is heard in its place. Tiles start muted; the
// console unmutes the focused one.
func (c *conn) listen(i int) {
	c.audioTile = i
	c.attachAudio()
}

// attachAudio points the session's audio feed at the audio tile's camera.
func (c *conn) attachAudio() {
	var f *webrtc.Feed
	if c.session != nil {
		f = c.session.Audio(0)
	}
	if f != nil {
		f.AttachStream(nil)
	}
	if c.audioTile == noAudio {
		c.reportAudio(AudioMsg{State: AudioIdle})
		return
	}
	a := c.tiles[c.audioTile]
	switch {
	case a.audio == nil:
		c.reportAudio(AudioMsg{State: AudioNoSound})
		return
	case c.session == nil:
		c.reportAudio(AudioMsg{State: string(webrtc.FeedWaiting)}) // until the next offer
		return
	case f == nil:
		c.reportAudio(AudioMsg{State: string(webrtc.FeedOffline), Reason: "no_transceiver"})
		return
	}
	c.reportAudio(AudioMsg{State: string(webrtc.FeedWaiting), Codec: string(a.audio.Native.Status().Track.Codec)})
	f.AttachStream(a.audio)
}

// reportAudio sends the audio state decided by the loop, naming the tile
// and its camera.
func (c *conn) reportAudio(m AudioMsg) {
	m.Type, m.Tile = "audio", c.audioTile
	if c.audioTile != noAudio {
		m.Camera = c.tiles[c.audioTile].view.Camera
	}
	c.mu.Lock()
	c.heard = m
	c.mu.Unlock()
	c.send(m)
}

// onAudio reports the audio feed's state changes; it runs on the feed's
// goroutine.
func (c *conn) onAudio(i int, e webrtc.FeedEvent) {
	if i != 0 {
		return
	}
	c.mu.Lock()
	m := c.heard
	if m.State == AudioIdle || m.State == AudioNoSound {
		c.mu.Unlock()
		return // a late event of a feed already detached
	}
	m.State, m.Reason = string(e.State), e.Reason
	m.Sent, m.Transcoded = "", false
	if e.State == webrtc.FeedPlaying {
		m.Sent, m.Transcoded = string(e.Sent), e.Transcoded
		if !e.Transcoded && e.Track.Codec != "" {
			m.Codec = string(e.Track.Codec) // a transcode reports its output
		}
	}
	if m == c.heard {
		c.mu.Unlock()
		return
	}
	c.heard = m
	c.mu.Unlock()
	c.send(m)
}
