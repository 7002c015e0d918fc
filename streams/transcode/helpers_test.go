package transcode

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
)

const frameDur = 40 * time.Millisecond // the test clips are 25 fps

func needFFmpeg(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		tb.Skip("ffmpeg not installed: ", err)
	}
	return path
}

func testLogger(tb testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// runFFmpeg runs ffmpeg to make test media and returns its stdout.
func runFFmpeg(tb testing.TB, args ...string) []byte {
	tb.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(needFFmpeg(tb), append([]string{"-hide_banner", "-nostdin", "-v", "error"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		tb.Fatalf("ffmpeg %v: %v\n%s", args, err, errb.String())
	}
	return out.Bytes()
}

// clip is test media as a camera's hub would carry it.
type clip struct {
	track  media.Track
	units  []*media.AccessUnit // timestamps from zero
	period time.Duration       // length, for looping
}

// videoClip encodes a test pattern with ffmpeg ("libx265" or "libx264",
// with encoder options) and splits the MPEG-TS into access units with the
// PTS and DTS the encoder chose.
func videoClip(tb testing.TB, size string, seconds int, codecArgs ...string) clip {
	tb.Helper()
	args := []string{"-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-t", fmt.Sprint(seconds)}
	args = append(args, codecArgs...)
	ts := runFFmpeg(tb, append(args, "-f", "mpegts", "-")...)

	r := &mpegts.Reader{R: bytes.NewReader(ts)}
	if err := r.Initialize(); err != nil {
		tb.Fatal(err)
	}
	var c clip
	tr := r.Tracks()[0]
	add := func(pts, dts int64, au [][]byte, codec media.Codec, key bool) {
		if c.track.Codec == "" {
			c.track = trackOf(tb, codec, au)
		}
		c.units = append(c.units, &media.AccessUnit{PTS: fromTicks(pts), DTS: fromTicks(dts), NALUs: au, Key: key})
	}
	switch tr.Codec.(type) {
	case *mpegts.CodecH265:
		r.OnDataH265(tr, func(pts, dts int64, au [][]byte) error {
			add(pts, dts, au, media.CodecH265, h265.IsRandomAccess(au))
			return nil
		})
	case *mpegts.CodecH264:
		r.OnDataH264(tr, func(pts, dts int64, au [][]byte) error {
			add(pts, dts, au, media.CodecH264, h264.IsRandomAccess(au))
			return nil
		})
	}
	for r.Read() == nil {
	}
	base := c.units[0].DTS
	for _, u := range c.units {
		u.PTS -= base
		u.DTS -= base
		if u.PTS != u.DTS {
			c.track.Reordered = true
		}
	}
	c.period = time.Duration(len(c.units)) * frameDur
	return c
}

// trackOf describes a video clip from its first keyframe.
func trackOf(tb testing.TB, codec media.Codec, au [][]byte) media.Track {
	p := findParams(codec, au)
	tr := media.Track{Codec: codec, VPS: p.vps, SPS: p.sps, PPS: p.pps}
	if codec == media.CodecH265 {
		var s h265.SPS
		if err := s.Unmarshal(p.sps); err != nil {
			tb.Fatal(err)
		}
		tr.Width, tr.Height = s.Width(), s.Height()
	} else {
		tr.Width, tr.Height = h264Track(p.sps, p.pps).Width, h264Track(p.sps, p.pps).Height
	}
	return tr
}

// aacClip encodes a tone to AAC in ADTS and splits it into frames.
func aacClip(tb testing.TB, seconds, channels int) clip {
	tb.Helper()
	adts := runFFmpeg(tb, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", fmt.Sprint(seconds), "-ac", fmt.Sprint(channels), "-c:a", "aac", "-f", "adts", "-")
	var pkts mpeg4audio.ADTSPackets
	if err := pkts.Unmarshal(adts); err != nil {
		tb.Fatal(err)
	}
	cfg := mpeg4audio.AudioSpecificConfig{
		Type: mpeg4audio.ObjectTypeAACLC, SampleRate: pkts[0].SampleRate, ChannelCount: pkts[0].ChannelCount,
	}
	raw, err := cfg.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	c := clip{track: media.Track{Codec: media.CodecAAC, SampleRate: cfg.SampleRate, Channels: cfg.ChannelCount, Config: raw}}
	step := time.Second * mpeg4audio.SamplesPerAccessUnit / time.Duration(cfg.SampleRate)
	for i, p := range pkts {
		t := time.Duration(i) * step
		c.units = append(c.units, &media.AccessUnit{PTS: t, DTS: t, NALUs: [][]byte{p.AU}, Key: true})
	}
	c.period = time.Duration(len(pkts)) * step
	return c
}

// player publishes clips into a hub in real time, looping, like a camera.
type player struct {
	h      *hub.Hub
	newest atomic.Int64 // PTS of the newest published unit
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	published []*media.AccessUnit
	times     []time.Time
}

// play starts publishing; clips play one after another, the last one
// looping. Each unit goes out at its DTS on the wall clock. The status
// announces the first clip's track only, as a source that does not notice
// a camera's new SPS would.
func play(h *hub.Hub, clips ...clip) *player {
	ctx, cancel := context.WithCancel(context.Background())
	p := &player{h: h, cancel: cancel}
	p.wg.Go(func() { p.run(ctx, clips) })
	return p
}

func (p *player) run(ctx context.Context, clips []clip) {
	start := time.Now()
	var offset time.Duration
	for i := 0; ; i++ {
		c := clips[min(i, len(clips)-1)]
		if i == 0 {
			p.h.SetStatus(hub.Status{State: hub.StateOnline, Track: c.track})
		}
		for _, u := range c.units {
			due := start.Add(offset + u.DTS)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(due)):
			}
			au := &media.AccessUnit{PTS: offset + u.PTS, DTS: offset + u.DTS, Received: time.Now(), NALUs: u.NALUs, Key: u.Key}
			p.h.Publish(au)
			p.newest.Store(int64(max(time.Duration(p.newest.Load()), au.PTS)))
			p.mu.Lock()
			p.published = append(p.published, au)
			p.times = append(p.times, au.Received)
			p.mu.Unlock()
		}
		offset += c.period
	}
}

// count returns how many units the player has published.
func (p *player) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.published)
}

// waitPublished waits until the player has published n units.
func (p *player) waitPublished(tb testing.TB, n int) {
	tb.Helper()
	testwait.For(tb, fmt.Sprintf("%d units published", n), func() bool { return p.count() >= n })
}

func (p *player) stop() {
	p.cancel()
	p.wg.Wait()
}

// fedSince counts the units a session starting at t feeds ffmpeg: the
// cached GOP (from the last keyframe published before t) and all after it.
func (p *player) fedSince(t time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	first := 0
	for i, au := range p.published {
		if p.times[i].After(t) {
			break
		}
		if au.Key {
			first = i
		}
	}
	return len(p.published) - first
}

// newestBefore returns the largest PTS published before t.
func (p *player) newestBefore(t time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var newest time.Duration
	for i, au := range p.published {
		if p.times[i].Before(t) {
			newest = max(newest, au.PTS)
		}
	}
	return newest
}

// collector reads an output hub and keeps what it saw.
type collector struct {
	r      *hub.Reader
	wg     sync.WaitGroup
	newest atomic.Int64
	latest atomic.Int64   // arrival of the newest unit, unix nanos
	keys   chan time.Time // arrival of each keyframe (buffered, non-blocking)

	mu       sync.Mutex
	units    []*media.AccessUnit
	statuses []hub.Status
}

func collect(h *hub.Hub) *collector {
	c := &collector{r: h.NewReader(), keys: make(chan time.Time, 1000)}
	c.wg.Go(c.run)
	return c
}

func (c *collector) run() {
	for {
		d, err := c.r.Read(context.Background())
		if err != nil {
			return
		}
		c.mu.Lock()
		if d.Status != nil {
			c.statuses = append(c.statuses, *d.Status)
		}
		if len(d.Units) > 0 {
			c.latest.Store(time.Now().UnixNano())
		}
		for _, u := range d.Units {
			c.units = append(c.units, u)
			c.newest.Store(int64(u.PTS))
			if u.Key {
				select {
				case c.keys <- time.Now():
				default:
				}
			}
		}
		c.mu.Unlock()
	}
}

func (c *collector) stop() {
	c.r.Close()
	c.wg.Wait()
}

// count returns how many output units the collector has seen.
func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.units)
}

// waitUnits waits until the collector has seen n output units.
func (c *collector) waitUnits(tb testing.TB, n int) {
	tb.Helper()
	testwait.For(tb, fmt.Sprintf("%d output units", n), func() bool { return c.count() >= n })
}

// waitOutputSince waits until output arrives after at: output still flows
// at that time.
func (c *collector) waitOutputSince(tb testing.TB, at time.Time) {
	tb.Helper()
	testwait.For(tb, "output after "+at.Format(time.StampMilli),
		func() bool { return c.latest.Load() > at.UnixNano() })
}

func (c *collector) snapshot() ([]*media.AccessUnit, []hub.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*media.AccessUnit(nil), c.units...), append([]hub.Status(nil), c.statuses...)
}

// unitsAfter returns the units published after the first status with the
// given reason was set, or nil when there was none. (A reader gets a status
// ahead of units still queued, so arrival order does not tell.)
func (c *collector) unitsAfter(reason string) []*media.AccessUnit {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.statuses {
		if s.Reason != reason {
			continue
		}
		after := []*media.AccessUnit{}
		for _, u := range c.units {
			if u.Received.After(s.Since) {
				after = append(after, u)
			}
		}
		return after
	}
	return nil
}

// waitKey waits for an output keyframe that arrives after since.
func (c *collector) waitKey(tb testing.TB, since time.Time) time.Time {
	tb.Helper()
	deadline := time.After(testwait.Cap)
	for {
		select {
		case at := <-c.keys:
			if at.After(since) {
				return at
			}
		case <-deadline:
			tb.Fatalf("no output keyframe within %v", testwait.Cap)
			return time.Time{}
		}
	}
}

// checkNoLeaks waits for the goroutine count to fall back to before.
func checkNoLeaks(tb testing.TB, before int) {
	tb.Helper()
	if !testwait.Until(tb, func() bool { return runtime.NumGoroutine() <= before }) {
		buf := make([]byte, 1<<20)
		tb.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
	}
}

// annexB joins units into one H.264 Annex-B stream.
func annexB(units []*media.AccessUnit) []byte {
	var b []byte
	for _, u := range units {
		b = append(b, u.AnnexB()...)
	}
	return b
}

// decodeErrors decodes an H.264 stream with ffmpeg and returns what it
// complained about.
func decodeErrors(tb testing.TB, stream []byte) string {
	var errb bytes.Buffer
	cmd := exec.Command(needFFmpeg(tb), "-hide_banner", "-nostdin", "-v", "error", "-f", "h264", "-i", "-", "-f", "null", "-")
	cmd.Stdin, cmd.Stderr = bytes.NewReader(stream), &errb
	if err := cmd.Run(); err != nil {
		return err.Error() + ": " + errb.String()
	}
	return errb.String()
}

func aacClipTrack() media.Track {
	return media.Track{Codec: media.CodecAAC, SampleRate: 16000, Channels: 1}
}
