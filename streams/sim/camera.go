package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"vigil/streams/media"
)

// sink is where a camera sends its streams; *rtsp.Server implements it.
type sink interface {
	AddStream(path string, video media.Track, audio *media.Track) error
	WriteAccessUnit(path string, pts time.Duration, nalus [][]byte) error
	WriteAudio(path string, pts time.Duration, frames [][]byte) error
	WriteRTPPayloads(path string, pts time.Duration, payloads [][]byte) error
}

// Camera produces a main and a sub stream at a fixed frame rate, and
// optionally audio on the main stream, from its own goroutine, until
// Close.
type Camera struct {
	opts    CameraOptions
	out     sink
	main    cameraStream
	sub     cameraStream
	audio   *audioSource // nil without audio
	garbage atomic.Int32
	fault   atomic.Int32 // a Fault
	// stalled counts the frame times FaultStall kept back, so a test
	// knows the stall is in force and how long it held.
	stalled atomic.Uint64
	// misbehaved counts the frame times the main stream spent in a garbage
	// mode, so a test waits for the garbage to have been sent.
	misbehaved atomic.Uint64
	wantIDR    atomic.Bool // a client started playing: next pictures are keyframes
	// lastSent is when the main stream last handed a picture to the
	// server (unix ns, 0: never), so a test that sees no frames can tell
	// a camera that sent none from a reader that got none.
	lastSent atomic.Int64
	// lastGarbage, rnd and big belong to the camera goroutine.
	lastGarbage Garbage
	lastFault   Fault
	rnd         *rand.Rand
	big         []byte // GarbageOversized NAL unit, built on first use

	release []func() // shared loops to give back on Close
	cancel  context.CancelFunc
	done    chan struct{}
	once    sync.Once
}

// cameraStream is one rendition of the camera.
type cameraStream struct {
	path string
	src  videoSource
	tag  bool // the camera's Tag goes in each access unit
}

// SubPathSuffix is appended to a camera's name for its sub stream path.
const SubPathSuffix = "/sub"

// newCamera registers the camera's paths on out and starts its goroutine.
func newCamera(o CameraOptions, out sink) (cam *Camera, err error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	c := &Camera{opts: o, out: out, rnd: rand.New(rand.NewPCG(uint64(o.Index), 0x5EED)), done: make(chan struct{})}
	defer func() {
		if err != nil {
			c.releaseLoops()
		}
	}()
	subW, subH := o.Width/2&^1, o.Height/2&^1
	if c.main, err = c.newStream(o.Name, o.Width, o.Height, o.Bitrate, "main"); err != nil {
		return nil, err
	}
	c.main.tag = o.Tag != nil
	if c.sub, err = c.newStream(o.Name+SubPathSuffix, subW, subH, o.Bitrate/4, "sub"); err != nil {
		return nil, err
	}
	var audio *media.Track
	if o.Audio != "" {
		l, release, err := acquireAudioLoop(o.Audio)
		if err != nil {
			return nil, fmt.Errorf("sim camera %q: %w", o.Name, err)
		}
		c.release = append(c.release, release)
		c.audio = &audioSource{loop: l}
		audio = &l.track
	}
	if err := out.AddStream(c.main.path, c.main.src.track(), audio); err != nil {
		return nil, err
	}
	if err := out.AddStream(c.sub.path, c.sub.src.track(), nil); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.run(ctx)
	return c, nil
}

// newStream builds one rendition: live builtin H.264, or a shared ffmpeg
// loop. bitrate 0 picks the default for the size.
func (c *Camera) newStream(path string, w, h, bitrate int, kind string) (cameraStream, error) {
	o := c.opts
	if o.Encoder == EncoderBuiltin {
		po := PictureOptions{
			Width: w, Height: h, Index: o.Index, Title: o.Title,
			Subtitle: fmt.Sprintf("SIM %dx%d %dfps %s", w, h, o.FPS, kind),
		}
		if o.PTZ != nil {
			po.View = o.PTZ.View
		}
		pic, err := NewPicture(po)
		if err != nil {
			return cameraStream{}, err
		}
		src, err := newBuiltinSource(pic, w, h, o.FPS, o.GOP)
		return cameraStream{path: path, src: src}, err
	}
	if bitrate == 0 {
		bitrate = defaultBitrate(w, h)
	}
	coding := string(o.Codec)
	if o.BFrames > 0 {
		coding += fmt.Sprintf(" B%d", o.BFrames)
	}
	l, release, err := acquireVideoLoop(videoLoopKey{
		codec: o.Codec, width: w, height: h, fps: o.FPS, gop: o.GOP, bitrate: bitrate, bframes: o.BFrames,
		title: o.Title, index: o.Index, subtitle: fmt.Sprintf("SIM %dx%d %dfps %s %s", w, h, o.FPS, coding, kind),
	})
	if err != nil {
		return cameraStream{}, fmt.Errorf("sim camera %q: %w", o.Name, err)
	}
	c.release = append(c.release, release)
	src := newLoopSource(l)
	src.period = time.Second / time.Duration(o.FPS)
	return cameraStream{path: path, src: src}, nil
}

// Name returns the camera id (its main path).
func (c *Camera) Name() string { return c.opts.Name }

// SubPath returns the sub stream's path.
func (c *Camera) SubPath() string { return c.opts.Name + SubPathSuffix }

// SetGarbage switches the wire behaviour; GarbageOff restores a clean
// stream starting with a keyframe.
func (c *Camera) SetGarbage(g Garbage) { c.garbage.Store(int32(g)) }

// SetFault makes the camera show f from its next frame on; FaultNone
// heals it, starting again with a keyframe. FaultUnauthorized takes
// effect on the next session: Server.SetFault also drops the open ones.
func (c *Camera) SetFault(f Fault) error {
	if f < FaultNone || f > FaultThin {
		return fmt.Errorf("sim: %v unknown", f)
	}
	if f == FaultBlack && c.opts.Encoder != EncoderBuiltin {
		return fmt.Errorf("sim camera %q: a black picture needs the builtin encoder", c.opts.Name)
	}
	c.fault.Store(int32(f))
	return nil
}

// Fault returns the fault the camera shows.
func (c *Camera) Fault() Fault { return Fault(c.fault.Load()) }

// Misbehaved returns how many frame times the camera has spent in a
// garbage mode.
func (c *Camera) Misbehaved() uint64 { return c.misbehaved.Load() }

func (c *Camera) requestIDR() { c.wantIDR.Store(true) }

// LastSent is when the main stream last handed a picture to the server
// (zero: never).
func (c *Camera) LastSent() time.Time {
	if ns := c.lastSent.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Close stops the camera goroutine, waits for it and gives back its loops.
func (c *Camera) Close() {
	c.once.Do(func() {
		c.cancel()
		<-c.done
		c.releaseLoops()
	})
}

func (c *Camera) releaseLoops() {
	for _, r := range c.release {
		r()
	}
	c.release = nil
}
