// Package snapshot makes a JPEG still of a camera: from the live stream's
// cached group of pictures, or from a recorded segment at a given time.
// ffmpeg decodes (one process per still); a bounded number run at once,
// each within a timeout, so a burst of requests cannot load the machine.
package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strconv"
	"time"

	"vigil/streams/media"
)

// Errors of a still; test with errors.Is.
var (
	ErrBusy        = errors.New("snapshot: too many stills being made; try again")
	ErrNoPicture   = errors.New("snapshot: no picture to make a still of")
	ErrNeedsFFmpeg = errors.New("snapshot: ffmpeg is not installed")
	// ErrNoRecording is for callers that find no segment at the time asked.
	ErrNoRecording = errors.New("snapshot: nothing recorded at that time")
)

// Options configure a Taker. Zero values take the defaults.
type Options struct {
	FFmpeg        string        // the ffmpeg binary; default "ffmpeg" on PATH
	MaxConcurrent int           // ffmpeg processes at once; default 2
	Timeout       time.Duration // waiting for a slot and decoding; default 10 s
}

// maxJPEG bounds what ffmpeg may answer: a still of an 8K picture at
// quality 3 is a few megabytes.
const maxJPEG = 32 << 20

// Taker makes stills. It is safe for concurrent use and holds no
// goroutine between calls.
type Taker struct {
	opts  Options
	slots chan struct{}
}

// New returns a Taker.
func New(o Options) *Taker {
	if o.FFmpeg == "" {
		o.FFmpeg = "ffmpeg"
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return &Taker{opts: o, slots: make(chan struct{}, o.MaxConcurrent)}
}

// FromUnits decodes units (a group of pictures starting at a keyframe,
// as the hub caches it) and returns the last picture as a JPEG: the one
// the viewers see now. When a damaged unit keeps ffmpeg from reaching the
// last picture, the keyframe is taken instead.
func (t *Taker) FromUnits(ctx context.Context, codec media.Codec, units []*media.AccessUnit) ([]byte, error) {
	if len(units) == 0 || !units[0].Key {
		return nil, ErrNoPicture
	}
	format := map[media.Codec]string{media.CodecH264: "h264", media.CodecH265: "hevc"}[codec]
	if format == "" {
		return nil, fmt.Errorf("%w: codec %q", ErrNoPicture, codec)
	}
	var in bytes.Buffer
	for _, au := range units {
		in.Write(au.AnnexB())
	}
	args := []string{"-f", format, "-i", "pipe:0", "-map", "0:v:0",
		"-vf", "select=eq(n\\," + strconv.Itoa(len(units)-1) + ")"}
	jpeg, err := t.run(ctx, args, &in)
	if errors.Is(err, ErrNoPicture) && len(units) > 1 {
		return t.FromUnits(ctx, codec, units[:1])
	}
	return jpeg, err
}

// FromSegment decodes the recorded segment at path from the keyframe at
// or before offset (from the segment's start) up to the picture at offset
// and returns that picture as a JPEG.
func (t *Taker) FromSegment(ctx context.Context, path string, offset time.Duration) ([]byte, error) {
	if offset < 0 {
		offset = 0
	}
	ss := strconv.FormatFloat(offset.Seconds(), 'f', 3, 64)
	return t.run(ctx, []string{"-ss", ss, "-i", path, "-map", "0:v:0"}, nil)
}

// run runs one ffmpeg with the input args, asking for one JPEG on stdout.
func (t *Taker) run(ctx context.Context, input []string, stdin io.Reader) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	defer cancel()
	select {
	case t.slots <- struct{}{}:
		defer func() { <-t.slots }()
	case <-ctx.Done():
		return nil, ErrBusy
	}
	args := []string{"-hide_banner", "-v", "error"}
	if stdin == nil {
		args = append(args, "-nostdin") // a still of a file reads no keys
	}
	args = append(append(args, input...), "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-f", "image2pipe", "pipe:1")
	cmd := exec.CommandContext(ctx, t.opts.FFmpeg, args...)
	cmd.Stdin = stdin
	cmd.WaitDelay = time.Second
	var out, stderr limitedBuffer
	out.max, stderr.max = maxJPEG, 4<<10
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNotFound):
		return nil, fmt.Errorf("%w: %v", ErrNeedsFFmpeg, err)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("snapshot: ffmpeg took longer than %s", t.opts.Timeout)
	case out.over:
		return nil, errors.New("snapshot: ffmpeg's picture is larger than allowed")
	case err == nil && out.Len() == 0:
		return nil, ErrNoPicture
	case err != nil:
		return nil, fmt.Errorf("snapshot: ffmpeg: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	case !bytes.HasPrefix(out.Bytes(), []byte{0xff, 0xd8}):
		return nil, errors.New("snapshot: ffmpeg's answer is not a JPEG")
	}
	return out.Bytes(), nil
}

// limitedBuffer keeps at most max bytes and notes whether more came.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

// Write never fails: ffmpeg must not block on a full pipe.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.max - b.Len(); n > room {
		b.over = true
		p = p[:max(room, 0)]
	}
	b.Buffer.Write(p)
	return n, nil
}
