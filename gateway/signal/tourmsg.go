package signal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"vigil/internal/ids"
)

// tileRef is a message's "tile": a tile number, or "grid" (tours only).
type tileRef struct {
	n    int
	grid bool
}

func (t *tileRef) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte(`"grid"`)) {
		t.grid = true
		return nil
	}
	return json.Unmarshal(b, &t.n)
}

// tourTarget reads "tile": a tile number or "grid".
func (w wireClient) tourTarget(m *ClientMessage) error {
	if w.Tile != nil && w.Tile.grid {
		m.Grid = true
		return nil
	}
	var err error
	m.Tile, err = w.tile()
	if err != nil {
		return fmt.Errorf("%s: tile must be 0 to %d or \"grid\"", w.Type, Tiles-1)
	}
	return nil
}

// tour: {"type":"tour","tile":N|"grid","tour":ID,"tiles":K,"step":S};
// "tour":"" stops the tile's (or the grid's) tour. tiles (1 to 25) is
// required for the grid, refused for a tile.
func (w wireClient) tour(m *ClientMessage) error {
	if err := w.only("tile", "tour", "tiles", "step"); err != nil {
		return err
	}
	if err := w.tourTarget(m); err != nil {
		return err
	}
	if w.Tour == nil {
		return errors.New("tour: tour is required (\"\" stops the tour)")
	}
	if *w.Tour != "" && !ids.Valid(*w.Tour) {
		return errors.New("tour: invalid tour id")
	}
	m.Tour = *w.Tour
	tiles := -1 // absent
	if w.Tiles != nil && json.Unmarshal(w.Tiles, &tiles) != nil {
		return errors.New("tour: tiles must be a number")
	}
	switch {
	case m.Grid && m.Tour != "" && (tiles < 1 || tiles > Tiles):
		return fmt.Errorf("tour: tiles must be 1 to %d for the grid", Tiles)
	case !m.Grid && w.Tiles != nil:
		return errors.New("tour: tiles is for the grid only")
	case w.Step != nil && *w.Step < 0:
		return errors.New("tour: step must not be negative")
	}
	if tiles > 0 {
		m.Tiles = tiles
	}
	if w.Step != nil {
		m.Step = *w.Step
	}
	return nil
}

// tourPause: {"type":"tour_pause","tile":N|"grid","paused":bool}.
func (w wireClient) tourPause(m *ClientMessage) error {
	if err := w.only("tile", "paused"); err != nil {
		return err
	}
	if err := w.tourTarget(m); err != nil {
		return err
	}
	if w.Paused == nil {
		return errors.New("tour_pause: paused is required")
	}
	m.Paused = *w.Paused
	return nil
}
