package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"
)

// ErrNoFFmpeg is returned (wrapped) when a camera needs ffmpeg (H.265,
// B-frames, AAC or Opus) and none is installed, so callers can fall back
// to the builtin H.264 encoder and tests can skip.
var ErrNoFFmpeg = errors.New("sim: ffmpeg not installed")

// ffmpegRuns counts ffmpeg processes started; tests check loop sharing.
var ffmpegRuns atomic.Int64

const (
	// ffmpegTimeout bounds one encode: loops are a few seconds of video.
	ffmpegTimeout = 2 * time.Minute
	// ffmpegMaxOutput bounds the coded loop kept in memory.
	ffmpegMaxOutput = 64 << 20
	// ffmpegErrTail is how much of ffmpeg's error output errors quote.
	ffmpegErrTail = 2048
)

// runFFmpeg runs ffmpeg with args while feed writes its standard input
// (feed's writes fail once ffmpeg exits), and returns its standard output.
// The process has ended when runFFmpeg returns.
func runFFmpeg(args []string, feed func(w io.Writer) error) ([]byte, error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFFmpeg, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ffmpegTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out := &limitedBuffer{max: ffmpegMaxOutput}
	var stderr tailBuffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	ffmpegRuns.Add(1)
	fed := make(chan error, 1)
	go func() {
		err := feed(stdin)
		stdin.Close()
		fed <- err
	}()
	// Wait closes stdin once ffmpeg exits, which ends a blocked feed.
	werr := cmd.Wait()
	ferr := <-fed
	switch {
	case werr != nil:
		return nil, fmt.Errorf("ffmpeg: %w: %s", werr, strings.TrimSpace(stderr.String()))
	case ferr != nil:
		return nil, fmt.Errorf("ffmpeg input: %w", ferr)
	}
	return out.Bytes(), nil
}

// limitedBuffer fails writes beyond max bytes, which makes ffmpeg fail
// instead of filling memory.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, fmt.Errorf("ffmpeg output over %d bytes", b.max)
	}
	return b.Buffer.Write(p)
}

// tailBuffer keeps the last ffmpegErrTail bytes written.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > ffmpegErrTail {
		t.b = append(t.b[:0], t.b[len(t.b)-ffmpegErrTail:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// ffmpegFMP4Output makes ffmpeg write fragmented MP4 to standard output:
// seekless, and its samples carry decode times and composition offsets
// (version 1 trun, so offsets may be negative).
var ffmpegFMP4Output = []string{
	"-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets",
	"-frag_duration", "1000000", "pipe:1",
}
