// Package transcode runs ffmpeg on demand between two hubs: a camera's hub
// in, a hub of browser-friendly media out (H.265 or B-frame H.264 to H.264
// without B-frames, AAC to Opus). One ffmpeg serves every viewer of the
// output; it starts with the first viewer and stops a while after the last.
//
// ffmpeg talks MPEG-TS over its stdin and stdout. The input side feeds the
// camera's cached GOP first, squeezed into a few milliseconds just before
// the live edge, so that the first output frame comes at once and live
// frames follow at live latency. Output timestamps are the input's own
// (ffmpeg runs with -copyts), so the output hub shares the camera's timeline.
package transcode

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"vigil/streams/hub"
)

// Kind says what a Transcoder makes.
type Kind int

// The kinds of transcoding.
const (
	VideoToH264 Kind = iota // H.264 or H.265 in, H.264 without B-frames out
	AudioToOpus             // AAC in, Opus 48 kHz out
)

func (k Kind) String() string {
	switch k {
	case VideoToH264:
		return "video-to-h264"
	case AudioToOpus:
		return "audio-to-opus"
	}
	return "unknown"
}

// Options configure a Transcoder. Zero values take the defaults.
type Options struct {
	Kind  Kind
	Input *hub.Hub // the camera's hub
	// ID names the output hub and the log lines, e.g. "bjx-ent-05/h264".
	ID string
	// FFmpeg is the binary; "" looks "ffmpeg" up in PATH each time it starts.
	FFmpeg string
	// HWAccel picks the video decoder and encoder: "" (libx264, the tested
	// default), "vaapi", "nvenc" or "qsv"; see accels in args.go.
	HWAccel string
	// Linger is how long ffmpeg keeps running after the last viewer left,
	// so that a viewer flipping between layouts does not restart it.
	Linger time.Duration
	Logger *slog.Logger

	// CRF is the constant rate factor of the video (lower is better).
	CRF int
	// MaxBitrate caps the video in bits per second.
	MaxBitrate int
	// AudioBitrate is the Opus bit rate per channel in bits per second.
	AudioBitrate int

	// stallTimeout is how long ffmpeg may take in input without giving
	// anything back before it is killed (see watchdog); tests shorten it.
	stallTimeout time.Duration
}

// Defaults: 10 s linger; CRF 23 capped at 4 Mbit/s is clean for a 1080p
// scene that mostly stands still and bounded when it does not; 32 kbit/s
// per channel is transparent enough for speech and alarms.
const (
	defaultLinger       = 10 * time.Second
	defaultCRF          = 23
	defaultMaxBitrate   = 4_000_000
	defaultAudioBitrate = 32_000
)

func (o *Options) setDefaults() {
	if o.Linger <= 0 {
		o.Linger = defaultLinger
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.CRF <= 0 {
		o.CRF = defaultCRF
	}
	if o.MaxBitrate <= 0 {
		o.MaxBitrate = defaultMaxBitrate
	}
	if o.AudioBitrate <= 0 {
		o.AudioBitrate = defaultAudioBitrate
	}
	if o.stallTimeout <= 0 {
		o.stallTimeout = stallTimeout
	}
}

// validate finds options no input can fix.
func (o *Options) validate() error {
	if o.Input == nil {
		return fmt.Errorf("%w: no input hub", errConfig)
	}
	if _, ok := accels[o.HWAccel]; !ok && o.Kind == VideoToH264 {
		return fmt.Errorf("%w: unknown hwaccel %q", errConfig, o.HWAccel)
	}
	if o.Kind != VideoToH264 && o.Kind != AudioToOpus {
		return fmt.Errorf("%w: unknown kind %d", errConfig, o.Kind)
	}
	return nil
}

// Transcoder is one shared, on-demand ffmpeg between an input and an
// output hub.
type Transcoder struct {
	opts Options
	log  *slog.Logger
	out  *hub.Hub
	pub  *publisher

	ctx     context.Context
	cancel  context.CancelFunc
	viewers chan int // +1 and -1, to the run goroutine
	done    chan struct{}

	// reordered is set once the input showed B-frames although its track
	// did not say so: from then on ffmpeg decodes without low_delay.
	reordered atomic.Bool

	mu     sync.Mutex
	state  State
	pidNow int // running ffmpeg's pid, 0 when none
	starts int // ffmpeg processes started
}

// New starts an idle Transcoder: ffmpeg runs only while it is acquired.
func New(o Options) *Transcoder {
	o.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	t := &Transcoder{
		opts:    o,
		log:     o.Logger.With("transcoder", o.ID, "kind", o.Kind.String()),
		out:     hub.New(hub.Options{ID: o.ID}),
		ctx:     ctx,
		cancel:  cancel,
		viewers: make(chan int),
		done:    make(chan struct{}),
		state:   State{Phase: PhaseIdle, Since: time.Now()},
	}
	t.pub = &publisher{t: t}
	go t.run()
	return t
}

// Kind returns what the Transcoder makes.
func (t *Transcoder) Kind() Kind { return t.opts.Kind }

// Output returns the hub viewers read from. It is the same hub for the
// Transcoder's whole life, across ffmpeg restarts.
func (t *Transcoder) Output() *hub.Hub { return t.out }

// Acquire registers a viewer: the first one starts ffmpeg. The returned
// release may be called any number of times; the last release arms the
// Linger timer, and ffmpeg stops when it fires with no Acquire in between.
// After Close, Acquire does nothing.
func (t *Transcoder) Acquire() (release func()) {
	if !t.send(+1) {
		return func() {}
	}
	var once sync.Once
	return func() { once.Do(func() { t.send(-1) }) }
}

func (t *Transcoder) send(delta int) bool {
	select {
	case t.viewers <- delta:
		return true
	case <-t.ctx.Done():
		return false
	}
}

// Close stops ffmpeg and every goroutine, and waits for them. The output
// hub reports offline, reason "stopped".
func (t *Transcoder) Close() {
	t.cancel()
	<-t.done
}

// run owns the viewer count, the linger timer and the supervisor.
func (t *Transcoder) run() {
	defer close(t.done)
	var (
		viewers int
		sup     *supervisor
		lingerC <-chan time.Time
	)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for {
		select {
		case <-t.ctx.Done():
			linger.Stop()
			if sup != nil {
				sup.stop()
			}
			t.out.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStopped})
			t.setPhase(PhaseIdle, "")
			return
		case d := <-t.viewers:
			viewers += d
			t.setViewers(viewers)
			switch {
			case viewers > 0 && sup == nil:
				sup = t.startSupervisor()
			case viewers > 0:
				linger.Stop()
				lingerC = nil
			case sup != nil:
				linger.Reset(t.opts.Linger)
				lingerC = linger.C
			}
		case <-lingerC:
			lingerC = nil
			sup.stop()
			sup = nil
			t.log.Info("no viewers left; ffmpeg stopped")
			t.pub.reset()
			t.out.SetStatus(hub.Status{State: hub.StateConnecting})
			t.setPhase(PhaseIdle, "")
		}
	}
}
