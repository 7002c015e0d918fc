package signal

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vigil/internal/ids"
	"vigil/streams/playback"
)

// Playback message types (PROTOCOL.md "Playback").
const (
	TypePlay  = "play"  // play a recording on a tile (or resume, or change speed)
	TypePause = "pause" // pause the tile (and the tiles linked to it)
	TypeStep  = "step"  // one frame forward, paused
	TypeLive  = "live"  // back to the tile's camera, live
	TypeLink  = "link"  // tiles that play one moment together
)

// Tile modes and the state of a play with nothing recorded.
const (
	ModeLive        = "live"
	ModePlayback    = "playback"
	TileNoRecording = "no_recording"
)

// playback validates the playback messages into m.
func (w wireClient) playback(m *ClientMessage) error {
	if w.Type == TypeLink {
		if err := w.only("tiles"); err != nil {
			return err
		}
		var list []int
		if w.Tiles == nil || json.Unmarshal(w.Tiles, &list) != nil || list == nil || len(list) > Tiles {
			return fmt.Errorf("link: tiles must list up to %d tiles", Tiles)
		}
		for _, t := range list {
			if t < 0 || t >= Tiles {
				return fmt.Errorf("link: tile must be 0 to %d", Tiles-1)
			}
		}
		m.List = list
		return nil
	}
	allowed := []string{"tile"}
	if w.Type == TypePlay {
		allowed = append(allowed, "camera", "start", "speed")
	}
	if err := w.only(allowed...); err != nil {
		return err
	}
	var err error
	if m.Tile, err = w.tile(); err != nil {
		return err
	}
	if w.Type != TypePlay {
		return nil
	}
	if w.Speed != nil {
		if err := playback.CheckSpeed(*w.Speed); err != nil {
			return errors.New("play: speed must be from 0.125 to 16")
		}
		m.Speed = *w.Speed
	}
	if (w.Camera == nil) != (w.Start == nil) {
		return errors.New("play: camera and start go together (neither: resume)")
	}
	if w.Camera == nil {
		return nil
	}
	if !ids.Valid(*w.Camera) {
		return errors.New("play: camera must be a camera id")
	}
	m.Camera = *w.Camera
	if m.Start, err = time.Parse(time.RFC3339Nano, *w.Start); err != nil {
		return errors.New("play: start must be an RFC 3339 time")
	}
	return nil
}
