package signal

import "time"

// Tile states beyond the feed's own (waiting, playing, offline).
const (
	TileIdle   = "idle"
	TileDenied = "denied"
)

// ReasonAuditUnavailable is the offline reason of a tile refused because
// the audit trail cannot record the view.
const ReasonAuditUnavailable = "audit_unavailable"

// The server → console messages (PROTOCOL.md).

type answerMsg struct {
	Type string `json:"type"` // "answer"
	SDP  string `json:"sdp"`
}

// TileMsg is a tile's state.
type TileMsg struct {
	Type   string `json:"type"` // "tile"
	Tile   int    `json:"tile"`
	Camera string `json:"camera"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	// Codec is what the camera sends, Sent what this console gets, and
	// Transcoded whether the gateway converted it for this console.
	Codec      string `json:"codec,omitempty"`
	Sent       string `json:"sent,omitempty"`
	Transcoded bool   `json:"transcoded,omitempty"`
	// Audio is true when the camera has sound the console can unmute.
	Audio bool `json:"audio,omitempty"`
	// Playback fields (playmsg.go): mode is "live" or "playback"; time is
	// the recorded wall-clock time of the frame shown.
	Mode    string  `json:"mode,omitempty"`
	Time    string  `json:"time,omitempty"`
	Speed   float64 `json:"speed,omitempty"`
	Paused  bool    `json:"paused,omitempty"`
	Edge    bool    `json:"edge,omitempty"`
	Ended   bool    `json:"ended,omitempty"`
	Nearest string  `json:"nearest,omitempty"`
}

// AudioMsg is the state of the console's sound: which tile it follows.
type AudioMsg struct {
	Type       string `json:"type"` // "audio"
	Tile       int    `json:"tile"` // -1: muted
	Camera     string `json:"camera,omitempty"`
	State      string `json:"state"`
	Reason     string `json:"reason,omitempty"`
	Codec      string `json:"codec,omitempty"`
	Sent       string `json:"sent,omitempty"`
	Transcoded bool   `json:"transcoded,omitempty"`
}

// CameraMsg is a camera's health.
type CameraMsg struct {
	Type    string `json:"type"` // "camera"
	ID      string `json:"id"`
	Station string `json:"station"`
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Codec   string `json:"codec,omitempty"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Audio   bool   `json:"audio,omitempty"`
}

// LayoutMsg is a followed wall's layout.
type LayoutMsg struct {
	Type      string     `json:"type"` // "layout"
	Wall      string     `json:"wall"`
	Layout    WallLayout `json:"layout"`
	UpdatedBy string     `json:"updated_by"`
	UpdatedAt string     `json:"updated_at"`
}

// WallLayout is a grid and its cameras as consoles see them.
type WallLayout struct {
	Grid    string   `json:"grid"`
	Cameras []string `json:"cameras"`
}

type errorMsg struct {
	Type    string `json:"type"` // "error"
	Message string `json:"message"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
