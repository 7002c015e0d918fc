package hub

import (
	"time"

	"vigil/streams/media"
)

// State is where a camera's stream stands.
type State string

// The states a source reports.
const (
	StateConnecting State = "connecting"
	StateOnline     State = "online"
	StateOffline    State = "offline"
)

// Reasons an offline camera gives. They are stable words that the API and the
// console translate; details go to the log, never credentials.
const (
	ReasonUnauthorized     = "unauthorized"
	ReasonUnreachable      = "unreachable"
	ReasonTimeout          = "timeout"
	ReasonNotFound         = "not_found"
	ReasonUnsupportedCodec = "unsupported_codec"
	ReasonStreamError      = "stream_error"
	ReasonStopped          = "stopped"
	ReasonNoAudio          = "no_audio"     // an audio hub whose camera sends none
	ReasonNeedsFFmpeg      = "needs_ffmpeg" // a transcoded rendition without its tool
)

// Status is a camera's health as the source last reported it.
type Status struct {
	State  State
	Reason string // set when State is offline
	Detail string // the full error, for the server log: may name addresses
	// Message says what went wrong in words safe to show any user: no
	// addresses, URLs or credentials.
	Message string
	Since   time.Time
	Track   media.Track
}
