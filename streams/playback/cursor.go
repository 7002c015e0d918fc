package playback

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"vigil/streams/segstore"
)

// Store is the recording index playback reads. *segstore.Index
// implements it.
type Store interface {
	Segments(camera string, from, to time.Time) []segstore.Segment
	// Pin keeps segments from retention until release is called.
	Pin(segs []segstore.Segment) (release func())
}

// farFuture bounds "every segment from t on" queries.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// lookAhead is the window segment queries try first: a week of recording
// is some ten thousand segments, and a seek must not copy them all.
const lookAhead = time.Hour

// segmentsFrom returns the segments overlapping [t, t+lookAhead), or when
// there are none, every segment after t (none, or those after a long
// hole).
func segmentsFrom(store Store, camera string, t time.Time) []segstore.Segment {
	if segs := store.Segments(camera, t, t.Add(lookAhead)); len(segs) > 0 {
		return segs
	}
	return store.Segments(camera, t, farFuture)
}

// lastBefore returns the last segment ending at or before t, if any.
func lastBefore(store Store, camera string, t time.Time) (segstore.Segment, bool) {
	segs := store.Segments(camera, t.Add(-lookAhead), t)
	if len(segs) == 0 {
		segs = store.Segments(camera, time.Time{}, t)
	}
	if len(segs) == 0 {
		return segstore.Segment{}, false
	}
	return segs[len(segs)-1], true
}

var (
	// errWait means the segment being read is still recorded and holds
	// nothing more yet.
	errWait = errors.New("playback: waiting for the recorder")
	// errEnd means there is no recording after the last frame read.
	errEnd = errors.New("playback: end of recording")
)

// sample is one recorded access unit, located on disk.
type sample struct {
	at   time.Time // wall-clock time it was recorded (its decode time)
	key  bool
	off  int64
	size uint32
	// ptsOffset is how much later than at the picture is shown: B-frame
	// recordings keep frames in decode order.
	ptsOffset time.Duration
	// audio marks a sample of the recorded sound (Init.Audio).
	audio bool
}

// cursor walks one camera's recorded samples in order, across segments,
// holding one segment open (and pinned against retention) at a time.
type cursor struct {
	store  Store
	camera string

	seg     segstore.Segment
	f       *os.File
	r       *segstore.Reader
	init    segstore.Init
	release func()
	frag    segstore.Fragment
	frags   int    // fragments read from r
	k       int    // next sample of frag
	dts     uint64 // decode time of sample k, segment timescale
	ka      int    // next audio sample of frag
	adts    uint64 // its time, in the audio's timescale (its sample rate)
}

// close releases the open segment.
func (c *cursor) close() {
	if c.f != nil {
		c.f.Close()
		c.f, c.r = nil, nil
	}
	if c.release != nil {
		c.release()
		c.release = nil
	}
}

// open makes seg the current segment, positioned at its first sample.
func (c *cursor) open(seg segstore.Segment) error {
	c.close()
	c.release = c.store.Pin([]segstore.Segment{seg})
	f, err := os.Open(seg.Path)
	if err != nil {
		c.close()
		return fmt.Errorf("playback: %w", err)
	}
	r, err := segstore.NewReader(f, seg.Size)
	if err != nil {
		f.Close()
		c.close()
		return err
	}
	c.seg, c.f, c.r, c.init = seg, f, r, r.Init
	c.frag.Samples, c.frags, c.k = c.frag.Samples[:0], 0, 0
	return nil
}

// timeOf is the wall-clock time of decode time dts in the open segment.
func (c *cursor) timeOf(dts uint64) time.Time {
	return c.seg.Start.Add(c.duration(int64(dts)))
}

// duration converts ticks of the open segment's timescale.
func (c *cursor) duration(ticks int64) time.Duration {
	ts := int64(c.init.Timescale)
	if ts == 0 {
		ts = segstore.Timescale
	}
	return time.Duration(ticks/ts)*time.Second + time.Duration(ticks%ts)*time.Second/time.Duration(ts)
}

// seek positions the cursor at the last keyframe at or before t, or the
// first keyframe after t when the recording there starts later.
func (c *cursor) seek(t time.Time) error {
	for _, seg := range segmentsFrom(c.store, c.camera, t) {
		if err := c.open(seg); err != nil {
			continue // unreadable: the next segment
		}
		fragIdx, sampleIdx, ok := c.keyframeBefore(t)
		if !ok {
			continue
		}
		return c.skipTo(fragIdx, sampleIdx)
	}
	c.close()
	return errEnd
}

// keyframeBefore walks the open segment's fragments for the keyframe to
// start at t from: the last at or before t, else the first.
func (c *cursor) keyframeBefore(t time.Time) (fragIdx, sampleIdx int, ok bool) {
	var fr segstore.Fragment
	for n := 0; c.r.Next(&fr) == nil; n++ {
		dts := fr.BaseTime
		for i, s := range fr.Samples {
			at := c.timeOf(dts)
			dts += uint64(s.Duration)
			if !s.Key {
				continue
			}
			if at.After(t) && ok {
				return fragIdx, sampleIdx, true
			}
			fragIdx, sampleIdx, ok = n, i, true
			if at.After(t) {
				return fragIdx, sampleIdx, true
			}
		}
	}
	return fragIdx, sampleIdx, ok
}

// skipTo reopens the segment and moves to sample i of fragment n.
func (c *cursor) skipTo(n, i int) error {
	if err := c.open(c.seg); err != nil {
		return err
	}
	for range n + 1 {
		if err := c.nextFragment(); err != nil {
			return err
		}
	}
	for range i {
		c.dts += uint64(c.frag.Samples[c.k].Duration)
		c.k++
	}
	return nil
}

func (c *cursor) nextFragment() error {
	if err := c.r.Next(&c.frag); err != nil {
		return err
	}
	c.frags++
	c.k, c.dts = 0, c.frag.BaseTime
	c.ka, c.adts = 0, c.frag.AudioBaseTime
	return nil
}

// next returns the next sample, video and sound in time order; keyOnly
// skips all pictures but keyframes, and sound unless withAudio. It returns
// errWait when the recorder has not written more yet, errEnd when nothing
// is recorded after.
func (c *cursor) next(keyOnly, withAudio bool) (sample, error) {
	for {
		if c.r == nil {
			if err := c.advance(); err != nil {
				return sample{}, err
			}
			continue
		}
		video, sound := c.k < len(c.frag.Samples), c.ka < len(c.frag.Audio)
		switch {
		case sound && (!video || !c.audioTime(c.adts).After(c.timeOf(c.dts))):
			s := c.frag.Audio[c.ka]
			at := c.audioTime(c.adts)
			c.adts += uint64(s.Duration)
			c.ka++
			if withAudio {
				return sample{at: at, key: true, off: s.Offset, size: s.Size, audio: true}, nil
			}
		case video:
			s := c.frag.Samples[c.k]
			at := c.timeOf(c.dts)
			c.dts += uint64(s.Duration)
			c.k++
			if !keyOnly || s.Key {
				return sample{at: at, key: s.Key, off: s.Offset, size: s.Size, ptsOffset: c.duration(int64(s.PTSOffset))}, nil
			}
		default:
			if err := c.advance(); err != nil {
				return sample{}, err
			}
		}
	}
}

// audioTime is the wall-clock time of an audio sample at t (ticks of the
// sample rate) in the open segment.
func (c *cursor) audioTime(t uint64) time.Time {
	rate := uint64(max(c.init.Audio.SampleRate, 1))
	return c.seg.Start.Add(time.Duration(t/rate)*time.Second + time.Duration(t%rate)*time.Second/time.Duration(rate))
}

// advance reads the next fragment, following a segment the recorder is
// still writing, or moving on to the next segment.
func (c *cursor) advance() error {
	if c.r == nil {
		if c.seg.Path == "" {
			return errEnd
		}
		return c.nextSegment() // recording may have resumed since
	}
	err := c.nextFragment()
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, segstore.ErrTorn) {
		if grown, active := c.refresh(); grown {
			return nil
		} else if active {
			return errWait
		}
	}
	// Past the end, or corrupt (the rest of the segment is lost): the
	// player skips the hole like any other.
	return c.nextSegment()
}

// refresh looks the open segment up again: a segment being recorded grows.
// It reports whether a new fragment was read, and whether the segment is
// still being written.
func (c *cursor) refresh() (grown, active bool) {
	for _, s := range c.store.Segments(c.camera, c.seg.Start, c.seg.Start.Add(time.Nanosecond)) {
		if s.Path != c.seg.Path || s.Size <= c.seg.Size {
			if s.Path == c.seg.Path {
				active = s.Active
			}
			continue
		}
		n, k, dts := c.frags, c.k, c.dts
		if err := c.open(s); err != nil {
			return false, false
		}
		for range n {
			if c.nextFragment() != nil {
				return false, s.Active
			}
		}
		if c.k, c.dts = k, dts; c.nextFragment() == nil {
			return true, s.Active
		}
		return false, s.Active
	}
	return false, active
}

// nextSegment opens the first readable segment after the current one.
func (c *cursor) nextSegment() error {
	cur := c.seg
	for _, s := range segmentsFrom(c.store, c.camera, cur.End) {
		if !s.Start.After(cur.Start) {
			continue
		}
		if err := c.open(s); err != nil || c.nextFragment() != nil {
			continue // unreadable or deleted: a hole
		}
		return nil
	}
	c.close()
	c.seg = cur
	return errEnd
}

// payload reads s's NAL units (stored length-prefixed) from the open
// segment.
func (c *cursor) payload(s sample) ([][]byte, error) {
	buf, err := c.raw(s)
	if err != nil {
		return nil, err
	}
	return splitAVCC(buf)
}

// raw reads s's bytes from the open segment.
func (c *cursor) raw(s sample) ([]byte, error) {
	if c.f == nil {
		return nil, errEnd
	}
	buf := make([]byte, s.size)
	if _, err := c.f.ReadAt(buf, s.off); err != nil {
		return nil, fmt.Errorf("playback: read sample: %w", err)
	}
	return buf, nil
}

// splitAVCC splits a sample's length-prefixed NAL units.
func splitAVCC(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errors.New("playback: truncated NAL unit length")
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if n == 0 || uint64(n) > uint64(len(b)) {
			return nil, fmt.Errorf("playback: NAL unit of %d bytes in %d", n, len(b))
		}
		out = append(out, b[:n:n])
		b = b[n:]
	}
	if len(out) == 0 {
		return nil, errors.New("playback: empty sample")
	}
	return out, nil
}
