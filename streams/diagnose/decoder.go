// Package diagnose looks at a camera's pictures for video-quality alarms:
// a frozen picture (unchanged while frames still come) and a black or
// covered one (nearly uniform or dark). It decodes keyframes into small
// grey pictures in rounds: the keyframes of every camera due in a round
// go to one ffmpeg per codec, kept running between rounds (runner.go), so
// the cost is one decode per camera, never a process per camera. When
// that process cannot be used (no encoder for its sentinel, a keyframe
// that gives no picture) a round runs through an ffmpeg of its own.
package diagnose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"vigil/streams/media"
)

// Options configure a Decoder. Zero values take the defaults.
type Options struct {
	// FFmpeg is the binary path or a name looked up in PATH.
	FFmpeg string
	// Width and Height of the analysed grey picture; small, because only
	// the overall look matters and the comparison is then cheap.
	Width, Height int
	// Timeout bounds one batch; ffmpeg is killed when it runs out.
	Timeout time.Duration
}

// Defaults of Options.
const (
	DefaultWidth   = 96
	DefaultHeight  = 54
	DefaultTimeout = 20 * time.Second
)

// Decoder turns keyframes into grey pictures. It is safe for concurrent
// use; rounds run one at a time. Close stops its processes.
type Decoder struct {
	opts Options
	bin  string

	mu      sync.Mutex
	runners map[media.Codec]*runner
	noRun   map[media.Codec]bool // a runner could not start: rounds of their own
	closed  bool
}

// NewDecoder checks that ffmpeg exists.
func NewDecoder(o Options) (*Decoder, error) {
	if o.FFmpeg == "" {
		o.FFmpeg = "ffmpeg"
	}
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = DefaultWidth, DefaultHeight
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	bin, err := exec.LookPath(o.FFmpeg)
	if err != nil {
		return nil, fmt.Errorf("diagnose: %w", err)
	}
	return &Decoder{opts: o, bin: bin, runners: map[media.Codec]*runner{}, noRun: map[media.Codec]bool{}}, nil
}

// Close stops the kept processes; later rounds start their own.
func (d *Decoder) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	for c, r := range d.runners {
		r.stop()
		delete(d.runners, c)
	}
}

// Warm starts codec's kept process now, so the first round does not pay
// for it (about a second: a sentinel coded and decoded, ffmpeg started).
func (d *Decoder) Warm(ctx context.Context, codec media.Codec) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.runners[codec]; ok || d.closed || d.noRun[codec] {
		return nil
	}
	r, err := d.startRunner(ctx, codec)
	if err != nil {
		d.noRun[codec] = true
		return err
	}
	d.runners[codec] = r
	return nil
}

// live decodes the round with the codec's kept process.
func (d *Decoder) live(ctx context.Context, codec media.Codec, keys []*media.AccessUnit) ([]Picture, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.noRun[codec] {
		return nil, errors.New("diagnose: no kept process")
	}
	r, ok := d.runners[codec]
	if !ok {
		var err error
		if r, err = d.startRunner(ctx, codec); err != nil {
			d.noRun[codec] = true
			return nil, err
		}
		d.runners[codec] = r
	}
	pics, err := r.round(ctx, codec, keys, d.opts.Timeout)
	if err != nil && !errors.Is(err, errMismatch) {
		r.stop() // out of step: a fresh one next round
		delete(d.runners, codec)
	}
	return pics, err
}

// Decode returns one picture per keyframe, in order; all must be of the
// given codec. A keyframe that cannot be decoded gets an error of its
// own in errs and costs no other its picture.
func (d *Decoder) Decode(ctx context.Context, codec media.Codec, keys []*media.AccessUnit) (pics []Picture, errs []error) {
	pics, errs = make([]Picture, len(keys)), make([]error, len(keys))
	var ok []int
	for i, au := range keys {
		if au == nil || !au.Key {
			errs[i] = errors.New("diagnose: not a keyframe")
			continue
		}
		ok = append(ok, i)
	}
	if len(ok) == 0 {
		return pics, errs
	}
	batch := make([]*media.AccessUnit, len(ok))
	for j, i := range ok {
		batch[j] = keys[i]
	}
	got, err := d.live(ctx, codec, batch)
	if err != nil {
		got, err = d.run(ctx, codec, annexB(codec, batch))
	}
	if err == nil && len(got) == len(batch) {
		for j, i := range ok {
			pics[i] = got[j]
		}
		return pics, errs
	}
	if len(batch) == 1 {
		errs[ok[0]] = cmp(err, errors.New("diagnose: ffmpeg gave no picture"))
		return pics, errs
	}
	// Some keyframe was bad and the pictures no longer line up with the
	// cameras: decode each alone (rare; a camera sending garbage).
	for _, i := range ok {
		one, e := d.Decode(ctx, codec, keys[i:i+1])
		pics[i], errs[i] = one[0], e[0]
	}
	return pics, errs
}

func cmp(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func annexB(codec media.Codec, keys []*media.AccessUnit) []byte {
	var in []byte
	for _, au := range keys {
		in = appendAnnexB(in, codec, au)
	}
	return in
}

// args is ffmpeg's command line: Annex B of codec on stdin, one grey
// picture per keyframe on stdout; input options before the input.
func (d *Decoder) args(codec media.Codec, input ...string) []string {
	format := map[media.Codec]string{media.CodecH264: "h264", media.CodecH265: "hevc"}[codec]
	w, h := d.opts.Width, d.opts.Height
	args := append([]string{"-hide_banner", "-nostdin", "-loglevel", "fatal",
		"-threads", "1", "-skip_loop_filter", "all", "-flags2", "+fast"}, input...)
	return append(args, "-f", format, "-i", "pipe:0",
		"-an", "-vf", "scale="+strconv.Itoa(w)+":"+strconv.Itoa(h)+":flags=fast_bilinear,format=gray",
		"-fps_mode", "passthrough", "-threads", "1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1")
}

// run decodes Annex B input with an ffmpeg of its own.
func (d *Decoder) run(ctx context.Context, codec media.Codec, in []byte) ([]Picture, error) {
	if codec != media.CodecH264 && codec != media.CodecH265 {
		return nil, fmt.Errorf("diagnose: codec %q not supported", codec)
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	w, h := d.opts.Width, d.opts.Height
	cmd := exec.CommandContext(ctx, d.bin, d.args(codec)...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("diagnose: ffmpeg: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	size := w * h
	pics := make([]Picture, 0, len(out)/size)
	for off := 0; off+size <= len(out); off += size {
		pics = append(pics, Picture{W: w, H: h, Luma: out[off : off+size : off+size]})
	}
	return pics, nil
}

// appendAnnexB writes au with start codes, then an access unit
// delimiter, so that no two keyframes read as one picture.
func appendAnnexB(b []byte, codec media.Codec, au *media.AccessUnit) []byte {
	start := []byte{0, 0, 0, 1}
	for _, n := range au.NALUs {
		b = append(append(b, start...), n...)
	}
	return appendAUD(b, codec)
}
