package signal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pion/webrtc/v4"

	"vigil/internal/ids"
)

// Message size limits (PROTOCOL.md "Limits"). An offer for 25 tiles is
// large (Chromium's is about 125 KB: every m-line lists every codec); the
// other messages are tiny and stay under the API's usual 64 KiB.
const (
	MaxOfferMessage = 256 << 10
	MaxMessage      = 64 << 10
)

// Tiles is the number of tiles a console offers (a 5×5 grid).
const Tiles = 25

// Client message types.
const (
	TypeOffer     = "offer"
	TypeCandidate = "candidate"
	TypeAssign    = "assign"
	TypeClear     = "clear"
	TypeFollow    = "follow"
	TypeAudio     = "audio"      // hear tile N's camera
	TypeMute      = "mute"       // hear nothing
	TypeTour      = "tour"       // run a tour on a tile or the grid ("" stops it)
	TypeTourPause = "tour_pause" // pause or resume it
)

// ClientMessage is one decoded console message. Only the fields of its
// Type are set.
type ClientMessage struct {
	Type      string
	SDP       string
	Candidate webrtc.ICECandidateInit
	Tile      int
	Camera    string
	Quality   string // "main" or "sub"; decoded "" becomes "main"
	Wall      string
	// play, link (playmsg.go)
	Start time.Time
	Speed float64
	List  []int
	PTZ   PTZCommand // TypePTZ (ptz.go)
	// Tours (tourmsg.go): Grid is set for "tile":"grid" (Tile is then 0).
	Grid   bool
	Tour   string
	Tiles  int // the grid's tiles a grid tour fills
	Step   int // the step to start at (a console resuming after a reconnect)
	Paused bool
}

// wireClient is the JSON form; pointers tell absent from zero.
type wireClient struct {
	Type      string                   `json:"type"`
	SDP       *string                  `json:"sdp"`
	Candidate *webrtc.ICECandidateInit `json:"candidate"`
	Tile      *tileRef                 `json:"tile"`
	Camera    *string                  `json:"camera"`
	Quality   *string                  `json:"quality"`
	Wall      *string                  `json:"wall"`
	Start     *string                  `json:"start"`
	Speed     *float64                 `json:"speed"`
	// tiles is a list for link (playmsg.go) and a count for a grid tour
	// (tourmsg.go).
	Tiles json.RawMessage `json:"tiles"`
	// ptz (ptz.go)
	Op     *string  `json:"op"`
	Pan    *float64 `json:"pan"`
	Tilt   *float64 `json:"tilt"`
	Zoom   *float64 `json:"zoom"`
	Preset *string  `json:"preset"`
	Name   *string  `json:"name"`
	Tour   *string  `json:"tour"`
	Step   *int     `json:"step"`
	Paused *bool    `json:"paused"`
}

// DecodeClientMessage parses and validates one console message. Errors are
// safe to send back to the console.
func DecodeClientMessage(data []byte) (ClientMessage, error) {
	if len(data) > MaxOfferMessage {
		return ClientMessage{}, fmt.Errorf("message larger than %d bytes", MaxOfferMessage)
	}
	var w wireClient
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return ClientMessage{}, fmt.Errorf("invalid JSON: %v", shortErr(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ClientMessage{}, errors.New("invalid JSON: trailing data after the object")
	}
	if w.Type != TypeOffer && len(data) > MaxMessage {
		return ClientMessage{}, fmt.Errorf("message larger than %d bytes", MaxMessage)
	}
	return w.validate()
}

// shortErr keeps decoder errors readable: they may quote the input.
func shortErr(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func (w wireClient) validate() (ClientMessage, error) {
	m := ClientMessage{Type: w.Type}
	var err error
	switch w.Type {
	case TypeOffer:
		err = w.only("sdp")
		if err == nil && (w.SDP == nil || *w.SDP == "") {
			err = errors.New("offer: sdp is required")
		}
		if err == nil {
			m.SDP = *w.SDP
		}
	case TypeCandidate:
		err = w.only("candidate")
		if err == nil && w.Candidate == nil {
			err = errors.New("candidate: candidate is required")
		}
		if err == nil {
			m.Candidate = *w.Candidate
		}
	case TypeAssign:
		err = w.only("tile", "camera", "quality")
		if err == nil {
			m.Tile, m.Camera, m.Quality, err = w.assign()
		}
	case TypeClear, TypeAudio:
		err = w.only("tile")
		if err == nil {
			m.Tile, err = w.tile()
		}
	case TypeMute:
		err = w.only()
	case TypeFollow:
		err = w.only("wall")
		if err == nil && w.Wall == nil {
			err = errors.New("follow: wall is required (\"\" stops following)")
		}
		if err == nil && *w.Wall != "" && !ids.Valid(*w.Wall) {
			err = errors.New("follow: invalid wall id")
		}
		if err == nil {
			m.Wall = *w.Wall
		}
	case TypePlay, TypePause, TypeStep, TypeLive, TypeLink:
		err = w.playback(&m)
	case TypePTZ:
		m.Camera, m.PTZ, err = w.ptzCommand()
	case TypeTour:
		err = w.tour(&m)
	case TypeTourPause:
		err = w.tourPause(&m)
	case "":
		err = errors.New("message type is required")
	default:
		err = fmt.Errorf("unknown message type %q", clip(w.Type, 32))
	}
	if err != nil {
		return ClientMessage{}, err
	}
	return m, nil
}

func (w wireClient) assign() (tile int, camera, quality string, err error) {
	if tile, err = w.tile(); err != nil {
		return
	}
	if w.Camera == nil || !ids.Valid(*w.Camera) {
		return 0, "", "", errors.New("assign: camera must be a camera id")
	}
	quality = "main"
	if w.Quality != nil && *w.Quality != "" {
		quality = *w.Quality
	}
	if quality != "main" && quality != "sub" {
		return 0, "", "", errors.New("assign: quality must be main or sub")
	}
	return tile, *w.Camera, quality, nil
}

func (w wireClient) tile() (int, error) {
	if w.Tile == nil {
		return 0, fmt.Errorf("%s: tile is required", w.Type)
	}
	if w.Tile.grid || w.Tile.n < 0 || w.Tile.n >= Tiles {
		return 0, fmt.Errorf("%s: tile must be 0 to %d", w.Type, Tiles-1)
	}
	return w.Tile.n, nil
}

// only refuses fields that do not belong to the message type: a console
// sending them has a bug worth hearing about.
func (w wireClient) only(allowed ...string) error {
	present := map[string]bool{
		"sdp": w.SDP != nil, "candidate": w.Candidate != nil, "tile": w.Tile != nil,
		"camera": w.Camera != nil, "quality": w.Quality != nil, "wall": w.Wall != nil,
		"start": w.Start != nil, "speed": w.Speed != nil, "tiles": w.Tiles != nil,
		"op": w.Op != nil, "pan": w.Pan != nil, "tilt": w.Tilt != nil, "zoom": w.Zoom != nil,
		"preset": w.Preset != nil, "name": w.Name != nil,
		"tour": w.Tour != nil, "step": w.Step != nil, "paused": w.Paused != nil,
	}
	for _, a := range allowed {
		delete(present, a)
	}
	for name, ok := range present {
		if ok {
			return fmt.Errorf("%s: unexpected field %q", w.Type, name)
		}
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
