package diagnose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"vigil/streams/media"
)

// runner is one ffmpeg kept running for one codec between rounds, so a
// round costs its decodes and not a process start (about half of a
// round's CPU at 100 cameras). ffmpeg holds the last pictures back until
// more input comes, so each round ends with sentinel keyframes of a
// picture the runner knows: the round's pictures are those before the
// first sentinel out, and the sentinels still held back are skipped at
// the start of the next round.
type runner struct {
	cmd      *exec.Cmd
	in       *os.File
	pics     chan []byte // decoded pictures, from the reading goroutine
	sentinel []byte      // one sentinel keyframe, Annex B
	look     Picture     // what a sentinel decodes to
	owed     int         // sentinel pictures still to come out
	w, h     int
}

// sentinels per round: more than ffmpeg ever holds back.
const sentinels = 3

// errMismatch: a keyframe of the round gave no picture; the runner is
// still in step, the round is decoded again one by one.
var errMismatch = errors.New("diagnose: a keyframe gave no picture")

// sentinelFor codes a small test picture as a keyframe of codec with
// ffmpeg, once per decoder and codec.
func (d *Decoder) sentinelFor(codec media.Codec) ([]byte, error) {
	enc := map[media.Codec][]string{
		media.CodecH264: {"-c:v", "libx264", "-x264-params", "keyint=1:log-level=error", "-f", "h264"},
		media.CodecH265: {"-c:v", "libx265", "-x265-params", "keyint=1:log-level=error", "-f", "hevc"},
	}[codec]
	if enc == nil {
		return nil, fmt.Errorf("diagnose: codec %q not supported", codec)
	}
	args := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi",
		"-i", "testsrc2=size=64x48:rate=1", "-frames:v", "1"}, enc...)
	out, err := exec.Command(d.bin, append(args, "pipe:1")...).Output()
	if err != nil || len(out) == 0 {
		return nil, fmt.Errorf("diagnose: sentinel: %v", err)
	}
	return appendAUD(out, codec), nil
}

func (d *Decoder) startRunner(ctx context.Context, codec media.Codec) (*runner, error) {
	sentinel, err := d.sentinelFor(codec)
	if err != nil {
		return nil, err
	}
	looks, err := d.run(ctx, codec, sentinel)
	if err != nil || len(looks) != 1 {
		return nil, fmt.Errorf("diagnose: sentinel does not decode: %v", err)
	}
	w, h := d.opts.Width, d.opts.Height
	cmd := exec.Command(d.bin, d.args(codec, "-probesize", "32", "-analyzeduration", "0",
		"-avioflags", "direct", "-flags", "low_delay")...)
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd.Stdin = inR
	err = cmd.Start()
	inR.Close()
	if err != nil {
		inW.Close()
		return nil, fmt.Errorf("diagnose: start ffmpeg: %w", err)
	}
	r := &runner{cmd: cmd, in: inW, pics: make(chan []byte, 4096), sentinel: sentinel, look: looks[0], w: w, h: h}
	go r.read(out)
	return r, nil
}

// read hands every picture ffmpeg writes to pics, until it exits.
func (r *runner) read(out io.Reader) {
	defer close(r.pics)
	for {
		pic := make([]byte, r.w*r.h)
		if _, err := io.ReadFull(out, pic); err != nil {
			return
		}
		r.pics <- pic
	}
}

// round decodes keys; an error other than errMismatch leaves the runner
// out of step, to be stopped.
func (r *runner) round(ctx context.Context, codec media.Codec, keys []*media.AccessUnit, timeout time.Duration) ([]Picture, error) {
	var in []byte
	for _, au := range keys {
		in = appendAnnexB(in, codec, au)
	}
	for range sentinels {
		in = append(in, r.sentinel...)
	}
	deadline := time.Now().Add(timeout)
	r.in.SetWriteDeadline(deadline)
	if _, err := r.in.Write(in); err != nil {
		return nil, fmt.Errorf("diagnose: feed ffmpeg: %w", err)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	for ; r.owed > 0; r.owed-- { // the last round's, held back until now
		pic, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		if !r.isSentinel(pic) {
			return nil, errors.New("diagnose: ffmpeg out of step")
		}
	}
	var pics []Picture
	for {
		pic, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		if r.isSentinel(pic) {
			break
		}
		pics = append(pics, pic)
	}
	r.owed = sentinels - 1
	if len(pics) != len(keys) {
		return nil, errMismatch
	}
	return pics, nil
}

func (r *runner) next(ctx context.Context) (Picture, error) {
	select {
	case b, ok := <-r.pics:
		if !ok {
			return Picture{}, errors.New("diagnose: ffmpeg exited")
		}
		return Picture{W: r.w, H: r.h, Luma: b}, nil
	case <-ctx.Done():
		return Picture{}, fmt.Errorf("diagnose: ffmpeg: %w", ctx.Err())
	}
}

func (r *runner) isSentinel(p Picture) bool { return Difference(p, r.look) <= FrozenLevels }

// stop ends ffmpeg and its reader.
func (r *runner) stop() {
	r.in.Close()
	r.cmd.Process.Kill()
	r.cmd.Wait()
	for range r.pics { //nolint:revive // drain until the reader has ended
	}
}

// FrozenLevels is how many luma levels two decodes of the same picture
// may differ by.
const FrozenLevels = 2

// appendAUD ends an access unit with an access unit delimiter, so that
// no two keyframes read as one picture.
func appendAUD(b []byte, codec media.Codec) []byte {
	b = append(b, 0, 0, 0, 1)
	if codec == media.CodecH265 {
		return append(b, 35<<1, 1, 0x50) // AUD, pic_type 2, then stop bit
	}
	return append(b, 0x09, 0xf0) // AUD, primary_pic_type 7
}
