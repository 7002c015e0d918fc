package rtsp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"

	"vigil/streams/redact"
)

// Causes of a failed pull that callers act on or report.
var (
	ErrBadURL           = errors.New("invalid camera url")
	ErrUnauthorized     = errors.New("camera refused the credentials")
	ErrNotFound         = errors.New("camera has no such stream")
	ErrUnreachable      = errors.New("camera unreachable")
	ErrTimeout          = errors.New("camera timed out")
	ErrUnsupportedCodec = errors.New("camera offers no H.264 video")
)

// classify wraps err with the cause it shows. gortsplib's messages are kept
// as detail; they quote the camera's own words (status reasons, SDP lines),
// which cleaned removes credentials from.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var status liberrors.ErrClientBadStatusCode
	var tcpTimeout liberrors.ErrClientTCPTimeout
	var udpTimeout liberrors.ErrClientUDPTimeout
	var reqTimeout liberrors.ErrClientRequestTimedOut
	var netErr net.Error
	switch {
	case errors.Is(err, ErrUnsupportedCodec), errors.Is(err, ErrBadURL):
		return err
	case errors.As(err, &status) && status.Code == base.StatusUnauthorized:
		return fmt.Errorf("%w: %v", ErrUnauthorized, err)
	case errors.As(err, &status) && status.Code == base.StatusNotFound:
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case errors.As(err, &tcpTimeout), errors.As(err, &udpTimeout), errors.As(err, &reqTimeout),
		errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ECONNRESET),
		isDNSError(err):
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	return err
}

func isDNSError(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// cameraError is a pull error whose text is cleaned of the camera's
// credentials. The error it wraps stays reachable for errors.Is and
// errors.As; its text must not be shown.
type cameraError struct {
	err     error
	text    string
	secrets redact.Secrets
}

func (e *cameraError) Error() string { return e.text }
func (e *cameraError) Unwrap() error { return e.err }

// cleaned wraps err so that its text hides the camera's credentials.
func cleaned(err error, secrets redact.Secrets) error {
	if err == nil {
		return nil
	}
	return &cameraError{err: err, text: secrets.Text(err.Error()), secrets: secrets}
}

// Describe says what went wrong in words safe to show anyone: never a URL
// or credentials (the URL, redacted, stays in the server log), even when
// the camera's status reason quotes them.
func Describe(err error) string {
	var status liberrors.ErrClientBadStatusCode
	var camera *cameraError
	for _, known := range []error{ErrUnauthorized, ErrNotFound, ErrUnreachable, ErrTimeout, ErrUnsupportedCodec, ErrBadURL} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	switch {
	case err == nil:
		return ""
	case errors.As(err, &status):
		reason := fmt.Sprintf("camera answered RTSP %d %s", status.Code, status.Message)
		if errors.As(err, &camera) {
			return camera.secrets.Message(reason)
		}
		return redact.Secrets{}.Message(reason)
	}
	return "the camera's stream failed"
}
