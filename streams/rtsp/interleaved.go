package rtsp

import (
	"bufio"
	"io"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
)

// The video of a pull over TCP arrives as RTSP interleaved frames ('$',
// channel, 16-bit length, RTP packet) between the RTSP messages of the
// session. gortsplib copies every frame through its reader into a new
// buffer, a new packet and its receiver statistics before vigil's
// depacketizer sees it: most of what an idle camera costs beside the
// socket reads. splitter finds the boundaries of that stream as gortsplib
// would read it, so the frames of the video channel can be taken out of
// the bytes gortsplib reads and depacketized where they lie (video_path.go);
// everything else (RTSP responses and requests, RTCP, audio) still goes to
// gortsplib unchanged.

const (
	// maxMessage is the longest RTSP message the splitter waits for
	// whole in its buffer. On a longer one it stops splitting and passes
	// every byte on unexamined. A message is parsed again as each read
	// adds to it, so this bounds what a camera that sends one byte at a
	// time costs: 16k parses of up to 16 kB, once a session. The longest
	// message of a session is its DESCRIBE's answer, a few kB.
	maxMessage = 16 << 10
	// frameHeader is '$', the channel and the payload's length.
	frameHeader = 4
	// gortsplibReadBuffer is the size of gortsplib's bufio reader
	// (pkg/conn), whose limits the parse in messageLength must share.
	gortsplibReadBuffer = 4096
)

// splitter tracks where the messages of an RTSP session's byte stream
// begin. It is not safe for concurrent use.
type splitter struct {
	// passing counts the bytes of the current message still to be handed
	// to gortsplib.
	passing int
	// lost is set when a boundary could not be found: from then on every
	// byte goes to gortsplib, which reads the stream as if vigil were not
	// there.
	lost bool
}

// step is what the splitter decided about the bytes at a boundary.
type step int

const (
	stepMore   step = iota // too few bytes to tell: read more
	stepPass               // hand n bytes to gortsplib
	stepDivert             // n bytes are a frame of the diverted channel, here whole
)

// next decides on the message at the start of b, which lies on a
// boundary. divert is the channel whose frames are taken out, or -1.
// It mirrors gortsplib's conn.Read: a frame when the first byte is '$',
// an RTSP response or request when the first two bytes start one, and
// otherwise the bytes gortsplib skips, up to where one may start.
func (s *splitter) next(b []byte, divert int) (step, int) {
	if len(b) < 2 {
		return stepMore, 0
	}
	if b[0] == '$' {
		if len(b) < frameHeader {
			return stepMore, 0
		}
		n := frameHeader + (int(b[2])<<8 | int(b[3]))
		if int(b[1]) != divert {
			return stepPass, n
		}
		if len(b) < n {
			return stepMore, 0
		}
		return stepDivert, n
	}
	if !startsMessage(b[0], b[1]) {
		return stepPass, garbage(b)
	}
	n, ok := messageLength(b)
	switch {
	case !ok:
		// gortsplib refuses this message and ends the session; or it is
		// longer than the splitter looks.
		s.lost = true
		return stepPass, len(b)
	case n == 0:
		return stepMore, 0
	}
	return stepPass, n
}

// messageLength returns the length of the RTSP message at the start of
// b as gortsplib's reader reads it: with its own parser, so that even a
// malformed head ends where gortsplib will end it. n is 0 when b may hold
// only the start of the message; ok is false when gortsplib refuses it,
// or b holds maxMessage bytes and not the whole of it.
func messageLength(b []byte) (n int, ok bool) {
	r := &endReader{b: b}
	br := bufio.NewReaderSize(r, gortsplibReadBuffer)
	var err error
	if b[0] == 'R' && b[1] == 'T' {
		err = new(base.Response).Unmarshal(br)
	} else {
		err = new(base.Request).Unmarshal(br)
	}
	switch {
	case err == nil:
		return r.read - br.Buffered(), true
	case r.end && len(b) < maxMessage:
		return 0, true // it ran out of bytes: more may complete it
	}
	return 0, false
}

// endReader reads b and remembers whether a read found its end.
type endReader struct {
	b    []byte
	read int
	end  bool
}

func (r *endReader) Read(p []byte) (int, error) {
	if r.read == len(r.b) {
		r.end = true
		return 0, io.EOF
	}
	n := copy(p, r.b[r.read:])
	r.read += n
	return n, nil
}

// garbage returns how many bytes at the start of b are neither a frame
// nor a message, which gortsplib skips one by one. The last byte is kept
// back: with the next it may start a message.
func garbage(b []byte) int {
	for i := 1; i < len(b)-1; i++ {
		if b[i] == '$' || startsMessage(b[i], b[i+1]) {
			return i
		}
	}
	return len(b) - 1
}

// startsMessage reports the first two bytes of an RTSP response or of a
// request of a method that gortsplib reads (conn.Read's list).
func startsMessage(a, b byte) bool {
	switch uint16(a)<<8 | uint16(b) {
	case 'R'<<8 | 'T', 'A'<<8 | 'N', 'D'<<8 | 'E', 'G'<<8 | 'E', 'O'<<8 | 'P',
		'P'<<8 | 'A', 'P'<<8 | 'L', 'R'<<8 | 'E', 'S'<<8 | 'E', 'T'<<8 | 'E':
		return true
	}
	return false
}
