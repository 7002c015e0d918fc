package rtsp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"
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

// classify wraps err with the cause it shows. gortsplib's own messages are
// kept as detail: they name hosts and status codes, never credentials.
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

// Describe says what went wrong in words safe to show anyone: never an
// address, a URL or credentials (those stay in the server log).
func Describe(err error) string {
	var status liberrors.ErrClientBadStatusCode
	for _, known := range []error{ErrUnauthorized, ErrNotFound, ErrUnreachable, ErrTimeout, ErrUnsupportedCodec, ErrBadURL} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	switch {
	case err == nil:
		return ""
	case errors.As(err, &status):
		return fmt.Sprintf("camera answered RTSP %d %s", status.Code, status.Message)
	}
	return "the camera's stream failed"
}
