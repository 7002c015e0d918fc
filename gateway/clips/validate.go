package clips

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Errors Start and the lookups return; the API maps them to status codes.
// Messages wrapped around ErrInvalid are meant for the person asking.
var (
	ErrInvalid     = errors.New("invalid clip request")
	ErrNoRecording = errors.New("no recording of this camera in the requested range")
	// ErrNotRecordable wraps ErrNoRecording (the same 422) when the
	// camera is not recorded at all; its message says why.
	ErrNotRecordable = fmt.Errorf("%w: the camera is not recorded", ErrNoRecording)
	ErrBusy          = errors.New("too many exports waiting; try again in a few minutes")
	ErrNotFound      = errors.New("no such clip")
	ErrNotReady      = errors.New("the clip is not exported yet")
)

// MaxReason is the longest reason, in characters.
const MaxReason = 500

// earliest is the earliest time a clip may start: anything before is a
// client bug (a zero or epoch time), not a recording.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// idPattern is the form of the ids the store generates. Ids become file
// names, so anything else is refused before it reaches the file system.
var idPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// ValidID reports whether id can name a clip.
func ValidID(id string) bool { return idPattern.MatchString(id) }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// check validates a request against the clock and the longest clip, and
// returns it with the reason trimmed and To ended at now.
func check(req Request, now time.Time, maxDur time.Duration) (Request, error) {
	req.Reason = strings.TrimSpace(req.Reason)
	switch {
	case req.Camera == "":
		return req, invalid("camera is required")
	case req.Exporter == "":
		return req, invalid("exporter is required")
	case req.Reason == "":
		return req, invalid("reason is required: say why this clip is exported")
	case utf8.RuneCountInString(req.Reason) > MaxReason:
		return req, invalid("reason is longer than %d characters", MaxReason)
	case !utf8.ValidString(req.Reason) || strings.ContainsFunc(req.Reason, badReasonRune):
		return req, invalid("reason contains control characters")
	case req.From.IsZero() || req.To.IsZero():
		return req, invalid("from and to are required (RFC 3339 times)")
	case req.From.Before(earliest) || req.To.Before(earliest) || req.From.After(now.Add(24*time.Hour)) || req.To.After(now.Add(24*time.Hour)):
		return req, invalid("from and to must lie between %s and a day from now", earliest.Format(time.DateOnly))
	case !req.To.After(req.From):
		return req, invalid("to must be after from")
	case !req.From.Before(now):
		return req, invalid("from is in the future")
	case req.To.Sub(req.From) > maxDur:
		return req, invalid("the range is %s long; at most %s may be exported at once", req.To.Sub(req.From).Round(time.Second), maxDur)
	}
	if req.To.After(now) {
		req.To = now // a range past now ends at the live edge
	}
	return req, nil
}

// badReasonRune refuses control characters except line breaks and tabs.
func badReasonRune(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
}
