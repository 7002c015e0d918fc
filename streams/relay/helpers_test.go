package relay

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"vigil/internal/testwait"

	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/sim"
	"vigil/streams/source"
)

const (
	testCamera = "bjx-nsq-01"
	testUser   = "node"
	testSecret = "cluster-secret-never-logged"
)

// tagPrefix starts the SEI every test camera puts in each unit:
// H.264 SEI, user_data_unregistered of 32 bytes, a UUID, then the frame
// number in 16 decimal digits (no zero bytes to escape).
var tagPrefix = append([]byte{6, 5, 32}, []byte("vigil-relay-test")...)

func tagOf(frame int64) []byte {
	return append(fmt.Appendf(append([]byte(nil), tagPrefix...), "%016d", frame), 0x80)
}

// frameOf returns the frame number tagged in au, or -1.
func frameOf(au *media.AccessUnit) int64 {
	for _, n := range au.NALUs {
		if len(n) == len(tagPrefix)+17 && string(n[:len(tagPrefix)]) == string(tagPrefix) {
			v, err := strconv.ParseInt(string(n[len(tagPrefix):len(tagPrefix)+16]), 10, 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// rig is the chain under test: a simulated camera, the owner node's hub
// pulling it, the relay server over that hub, and pulls of it into hubs of
// their own, as the other node's gateway runs them.
type rig struct {
	cam     *sim.Server
	owner   *hub.Hub // the owner node's hub of the camera
	audio   *hub.Hub
	relay   *Server
	secret  string // what pulls send
	audioOn bool

	logs *syncBuffer // the relay server's log
	// revoked makes the relay refuse the cluster secret from now on.
	revoked atomic.Bool

	mu   sync.Mutex
	sent map[int64]time.Time // frame → when the camera sent it
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type rigOptions struct {
	fps, gop int
	audio    media.Codec
	secret   string // what pulls send; default testSecret
	recheck  time.Duration
	// width and height of the camera (default 320x180); writeTimeout is
	// the relay's.
	width, height int
	writeTimeout  time.Duration
	writeQueue    int
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	r := &rig{sent: make(map[int64]time.Time), logs: &syncBuffer{}}
	cam, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"cam0"},
		Width: cmp.Or(o.width, 320), Height: cmp.Or(o.height, 180), FPS: o.fps, GOP: o.gop, NoUDP: true,
		Configure: func(_ string, co *sim.CameraOptions) {
			co.Audio = o.audio
			co.Tag = func(n int64, sent time.Time) []byte {
				r.mu.Lock()
				r.sent[n] = sent
				r.mu.Unlock()
				return tagOf(n)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cam.Close)
	r.cam = cam
	r.owner = hub.New(hub.Options{ID: testCamera})
	if o.audio != "" {
		r.audio = hub.New(hub.Options{ID: testCamera + "/audio"})
	}
	runSource(t, source.Options{ID: testCamera, URL: cam.URL("cam0"), Transport: "tcp", Hub: r.owner, AudioHub: r.audio})

	r.relay, err = New(Options{Address: "127.0.0.1:0", Lookup: r.lookup, Authorize: r.authorize,
		Logger: slog.New(slog.NewTextHandler(r.logs, nil)), Recheck: o.recheck,
		WriteTimeout: o.writeTimeout, WriteQueueSize: o.writeQueue})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.relay.Close)
	r.secret = cmp.Or(o.secret, testSecret)
	r.audioOn = o.audio != ""
	return r
}

// pull pulls path from the relay into new hubs until release, as the
// gateway of another node does.
func (r *rig) pull(t testing.TB, path string) (Hubs, func()) {
	t.Helper()
	hubs := Hubs{Video: hub.New(hub.Options{ID: path})}
	if _, sub, _ := parsePath(path); r.audioOn && !sub {
		hubs.Audio = hub.New(hub.Options{ID: path + "/audio"})
	}
	src, err := source.New(source.Options{ID: path, Transport: "tcp", Hub: hubs.Video, AudioHub: hubs.Audio,
		URL:        "rtsp://" + testUser + ":" + r.secret + "@" + r.relay.Addr() + "/" + path,
		MinBackoff: 50 * time.Millisecond, ReadTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.Run(ctx)
	}()
	var once sync.Once
	release := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(release)
	return hubs, release
}

func (r *rig) lookup(camera string, sub bool) (Hubs, bool) {
	if camera != testCamera || sub {
		return Hubs{}, false
	}
	return Hubs{Video: r.owner, Audio: r.audio}, true
}

// authorize admits the cluster's nodes until revoked; an unknown camera
// is not found whoever asks.
func (r *rig) authorize(_ context.Context, user, password, camera string) error {
	if r.revoked.Load() {
		return errors.New("secret revoked")
	}
	if user != testUser || password != testSecret {
		return errors.New("wrong cluster secret")
	}
	if camera != testCamera {
		return ErrUnknownCamera
	}
	return nil
}

func (r *rig) sentAt(frame int64) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.sent[frame]
	return at, ok
}

// lastSent returns the highest frame number the camera sent so far.
func (r *rig) lastSent() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := int64(-1)
	for n := range r.sent {
		last = max(last, n)
	}
	return last
}

// runSource pulls o.URL into o.Hub until the test ends.
func runSource(t testing.TB, o source.Options) {
	t.Helper()
	o.MinBackoff = 50 * time.Millisecond
	src, err := source.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// next returns the next unit of r, skipping status deliveries.
func next(t testing.TB, r *hub.Reader, pending *[]*media.AccessUnit) *media.AccessUnit {
	t.Helper()
	for len(*pending) == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
		d, err := r.Read(ctx)
		cancel()
		if err != nil {
			t.Fatalf("no unit: %v", err)
		}
		*pending = append(*pending, d.Units...)
	}
	au := (*pending)[0]
	*pending = (*pending)[1:]
	return au
}

// waitStatus waits until h reports state (and reason, when given).
func waitStatus(t testing.TB, h *hub.Hub, state hub.State, reason string) hub.Status {
	t.Helper()
	r := h.NewReader()
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for {
		if st := h.Status(); st.State == state && (reason == "" || st.Reason == reason) {
			return st
		}
		if _, err := r.Read(ctx); err != nil {
			t.Fatalf("status %+v, want %s %s", h.Status(), state, reason)
		}
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testwait.For(t, what, cond)
}

// checkNoLeaks waits for the goroutine count to fall back to before.
func checkNoLeaks(t testing.TB, before int) {
	t.Helper()
	if !testwait.Until(t, func() bool { return runtime.NumGoroutine() <= before }) {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
	}
}
