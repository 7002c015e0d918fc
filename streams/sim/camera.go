package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"vigil/streams/sim/h264enc"
)

// sink is where a camera sends its streams; *rtsp.Server implements it.
type sink interface {
	AddPath(path string, sps, pps []byte) error
	WriteAccessUnit(path string, pts time.Duration, nalus [][]byte) error
	WriteRTPPayloads(path string, pts time.Duration, payloads [][]byte) error
}

// CameraOptions describes one simulated camera.
type CameraOptions struct {
	// Name is the camera id and its RTSP path: the main stream is served at
	// /Name and the half-size sub stream at /Name/sub.
	Name string
	// Index picks the background colour.
	Index int
	// Width and Height of the main stream; default 640x360. The sub stream
	// is half of each, rounded down to even.
	Width, Height int
	// FPS defaults to 25.
	FPS int
	// GOP is the number of frames from one IDR to the next; default 2*FPS.
	GOP int
}

func (o *CameraOptions) setDefaults() {
	if o.Width == 0 && o.Height == 0 {
		o.Width, o.Height = 640, 360
	}
	if o.FPS == 0 {
		o.FPS = 25
	}
	if o.GOP == 0 {
		o.GOP = 2 * o.FPS
	}
}

// Camera produces a main and a sub stream at a fixed frame rate from its
// own goroutine, until Close.
type Camera struct {
	opts    CameraOptions
	out     sink
	main    cameraStream
	sub     cameraStream
	garbage atomic.Int32
	wantIDR atomic.Bool // a client started playing: next pictures are IDRs
	// lastGarbage, rnd and big belong to the camera goroutine.
	lastGarbage Garbage
	rnd         *rand.Rand
	big         []byte // GarbageOversized NAL unit, built on first use

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// cameraStream is one encoded rendition of the camera.
type cameraStream struct {
	path    string
	pic     *Picture
	enc     *h264enc.Encoder
	needIDR bool
	sinceID int
}

// SubPathSuffix is appended to a camera's name for its sub stream path.
const SubPathSuffix = "/sub"

// newCamera registers the camera's paths on out and starts its goroutine.
func newCamera(o CameraOptions, out sink) (*Camera, error) {
	o.setDefaults()
	if o.FPS < 1 || o.FPS > 120 || o.GOP < 1 {
		return nil, fmt.Errorf("sim camera %q: fps %d, gop %d out of range", o.Name, o.FPS, o.GOP)
	}
	c := &Camera{opts: o, out: out, rnd: rand.New(rand.NewPCG(uint64(o.Index), 0x5EED)), done: make(chan struct{})}
	subW, subH := o.Width/2&^1, o.Height/2&^1
	var err error
	if c.main, err = newCameraStream(o, o.Name, o.Width, o.Height, "main"); err != nil {
		return nil, err
	}
	if c.sub, err = newCameraStream(o, o.Name+SubPathSuffix, subW, subH, "sub"); err != nil {
		return nil, err
	}
	for _, s := range []*cameraStream{&c.main, &c.sub} {
		if err := out.AddPath(s.path, s.enc.SPS(), s.enc.PPS()); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go c.run(ctx)
	return c, nil
}

func newCameraStream(o CameraOptions, path string, w, h int, kind string) (cameraStream, error) {
	pic, err := NewPicture(PictureOptions{
		Width: w, Height: h, Index: o.Index, Title: o.Name,
		Subtitle: fmt.Sprintf("SIM %dx%d %dfps %s", w, h, o.FPS, kind),
	})
	if err != nil {
		return cameraStream{}, err
	}
	enc, err := h264enc.New(h264enc.Options{Width: w, Height: h, FPS: o.FPS})
	if err != nil {
		return cameraStream{}, err
	}
	return cameraStream{path: path, pic: pic, enc: enc, needIDR: true}, nil
}

// Name returns the camera id (its main path).
func (c *Camera) Name() string { return c.opts.Name }

// SubPath returns the sub stream's path.
func (c *Camera) SubPath() string { return c.opts.Name + SubPathSuffix }

// SetGarbage switches the wire behaviour; GarbageOff restores a clean
// stream starting with an IDR.
func (c *Camera) SetGarbage(g Garbage) { c.garbage.Store(int32(g)) }

func (c *Camera) requestIDR() { c.wantIDR.Store(true) }

// Close stops the camera goroutine and waits for it.
func (c *Camera) Close() {
	c.once.Do(func() {
		c.cancel()
		<-c.done
	})
}

// run ticks at the frame rate. Frame numbers (and so timestamps) follow
// the wall clock: a late tick skips numbers instead of drifting, and
// timestamps stay exact multiples of the frame period.
func (c *Camera) run(ctx context.Context) {
	defer close(c.done)
	period := time.Second / time.Duration(c.opts.FPS)
	t := time.NewTicker(period)
	defer t.Stop()
	start := time.Now()
	last := int64(-1)
	c.frame(start, 0)
	last = 0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			n := max(last+1, int64(now.Sub(start)/period))
			last = n
			c.frame(now, n)
		}
	}
}

// frame draws, encodes and sends frame n of both streams.
func (c *Camera) frame(now time.Time, n int64) {
	pts := time.Duration(n) * time.Second / time.Duration(c.opts.FPS)
	g := Garbage(c.garbage.Load())
	if c.wantIDR.Swap(false) {
		c.main.needIDR, c.sub.needIDR = true, true
	}
	if g != c.lastGarbage {
		// Entering or leaving a garbage mode: the next clean picture is an
		// IDR, so readers resynchronise.
		c.main.needIDR, c.sub.needIDR = true, true
		c.lastGarbage = g
	}
	for _, s := range []*cameraStream{&c.main, &c.sub} {
		c.send(s, now, n, pts, g)
	}
}

func (c *Camera) send(s *cameraStream, now time.Time, n int64, pts time.Duration, g Garbage) {
	var err error
	switch {
	case g == GarbageRandom:
		err = c.out.WriteRTPPayloads(s.path, pts, randomPayloads(c.rnd))
	case g == GarbageOversized && n%int64(c.opts.FPS) == 0:
		s.needIDR = true
		if c.big == nil {
			c.big = oversizedNALU()
		}
		err = c.out.WriteAccessUnit(s.path, pts, [][]byte{c.big})
	default:
		idr := s.needIDR || s.sinceID+1 >= c.opts.GOP
		var au [][]byte
		if au, err = s.enc.Encode(s.pic.Draw(now, n), idr); err != nil {
			panic(err) // sizes are validated at construction
		}
		if idr {
			s.needIDR, s.sinceID = false, 0
		} else {
			s.sinceID++
		}
		if g == GarbageTruncatedFUA {
			err = c.out.WriteRTPPayloads(s.path, pts, truncatedFUA(au))
		} else {
			err = c.out.WriteAccessUnit(s.path, pts, au)
		}
	}
	if err != nil {
		// Stopped ("rebooting"): start with an IDR when it is back, as a
		// camera does after boot.
		s.needIDR = true
	}
}
