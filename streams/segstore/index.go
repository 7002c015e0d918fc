// Package segstore is the on-disk index of recorded segments: it defines
// the segment format (fragmented MP4 written by mediacommon's fmp4 muxer,
// one H.264 or H.265 track, named by start time), rebuilds its index from
// <root>/<camera>/*.mp4 at start, repairs segments a crash left torn,
// answers range queries for clip export and enforces retention.
package segstore

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Segment is one recorded file as the index knows it.
type Segment struct {
	Camera string
	Path   string
	Start  time.Time
	End    time.Time
	Size   int64 // usable bytes: readers must not look past them
	// Intact is false when the file had a torn or corrupt tail that could
	// not be cut off; Size still bounds its usable part.
	Intact bool
	// Active is true while a recorder writes the segment.
	Active bool
	// Damaged is true when repair rebuilt the segment from what was
	// readable: parts of it are lost, and its original is in quarantine.
	Damaged bool
}

// Options configure an Index.
type Options struct {
	Root   string // <data>/rec
	Logger *slog.Logger
}

// Index is safe for concurrent use.
type Index struct {
	root string
	log  *slog.Logger

	mu     sync.Mutex
	cams   map[string][]Segment // sorted by Start
	pins   map[string]int       // path -> exports reading it
	damage map[string][]Damage  // quarantined segments per camera
}

// ErrBusy is returned when removing a segment that is being written or read.
var ErrBusy = errors.New("segstore: segment is being written or exported")

// Open scans root and repairs what a crash left behind. Call it before
// any recorder starts: a segment open for writing would look torn.
func Open(opts Options) (*Index, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.Root, 0o750); err != nil {
		return nil, fmt.Errorf("segstore: %w", err)
	}
	x := &Index{root: opts.Root, log: opts.Logger, cams: map[string][]Segment{}, pins: map[string]int{},
		damage: map[string][]Damage{}}
	dirs, err := os.ReadDir(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("segstore: %w", err)
	}
	for _, d := range dirs {
		if d.IsDir() {
			x.cams[d.Name()] = x.scanCamera(d.Name())
		}
	}
	return x, nil
}

// scanCamera indexes one camera directory. A file that cannot be read is
// logged and left alone: one bad file never hides the others.
func (x *Index) scanCamera(camera string) []Segment {
	dir := filepath.Join(x.root, camera)
	entries, err := os.ReadDir(dir)
	if err != nil {
		x.log.Warn("segstore: cannot list camera recordings", "camera", camera, "err", err)
		return nil
	}
	x.damage[camera] = quarantined(camera, dir)
	var segs []Segment
	for _, e := range entries {
		if _, err := ParseFileName(e.Name()); err != nil || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		in, err := ScanFile(path)
		if err != nil {
			x.log.Warn("segstore: cannot scan segment", "path", path, "err", err)
			continue
		}
		intact, damaged := in.Intact(), in.Damaged
		if !intact {
			out, err := x.repair(camera, path, in)
			if !out.Kept || in.Size == 0 {
				continue
			}
			intact = err == nil
		}
		_, qerr := os.Stat(filepath.Join(dir, QuarantineDir, e.Name()))
		segs = append(segs, Segment{Camera: camera, Path: path, Start: in.Start, End: in.End,
			Size: in.Size, Intact: intact, Damaged: damaged || qerr == nil})
	}
	return segs // ReadDir sorts by name, and names sort by time
}

// repair repairs one segment at start-up and reports damage loudly: a
// torn tail is routine after a crash, damaged evidence is an alarm.
func (x *Index) repair(camera, path string, in Info) (Outcome, error) {
	out, err := Repair(path, in)
	if !in.Damaged {
		x.log.Warn("segstore: repaired torn segment", "path", path, "problem", in.Problem,
			"kept_bytes", in.Size, "file_bytes", in.FileSize, "kept", out.Kept, "err", err)
		return out, err
	}
	x.log.Error("ALERT: recording damaged; original quarantined, intact fragments salvaged", "camera", camera,
		"path", path, "quarantined", out.Quarantined, "problem", in.Problem, "fragments_kept", in.Fragments,
		"salvaged_after_damage", in.Salvaged, "kept_bytes", in.Size, "file_bytes", in.FileSize, "err", err)
	if out.Quarantined != "" {
		x.damage[camera] = append(x.damage[camera], Damage{Camera: camera, Start: in.Start,
			Quarantined: out.Quarantined, Problem: in.Problem, Salvaged: in.Salvaged, Kept: in.Size, Bytes: in.FileSize, Found: time.Now()})
	}
	return out, err
}

// quarantined lists the damaged originals a camera already has, so their
// count survives a restart.
func quarantined(camera, dir string) []Damage {
	entries, _ := os.ReadDir(filepath.Join(dir, QuarantineDir))
	var out []Damage
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), Ext) {
			continue
		}
		// A segment damaged again is kept as <name>-2.mp4 and so on.
		name, _, _ := strings.Cut(strings.TrimSuffix(e.Name(), Ext), "-")
		start, _ := ParseFileName(name + Ext)
		out = append(out, Damage{Camera: camera, Start: start, Found: info.ModTime(), Bytes: info.Size(),
			Quarantined: filepath.Join(dir, QuarantineDir, e.Name()), Problem: "quarantined earlier"})
	}
	return out
}

// Damaged returns the damaged segments repair quarantined per camera,
// oldest first: what an alarm raises recording_failed from.
func (x *Index) Damaged() map[string][]Damage {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string][]Damage, len(x.damage))
	for c, d := range x.damage {
		if len(d) > 0 {
			out[c] = slices.Clone(d)
		}
	}
	return out
}

// Cameras returns the cameras with recordings, sorted.
func (x *Index) Cameras() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []string
	for c, segs := range x.cams {
		if len(segs) > 0 {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// Segments returns the camera's segments overlapping [from, to), oldest
// first. The result is a copy.
func (x *Index) Segments(camera string, from, to time.Time) []Segment {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []Segment
	for _, s := range x.cams[camera] {
		if s.Start.Before(to) && s.End.After(from) {
			out = append(out, s)
		}
	}
	return out
}

// Usage returns the bytes recorded per camera.
func (x *Index) Usage() map[string]int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string]int64, len(x.cams))
	for c, segs := range x.cams {
		for _, s := range segs {
			out[c] += s.Size
		}
	}
	return out
}

// RecordingProgress records what a recorder wrote: it is called when a
// segment opens, after each fragment, and once more with active false when
// the segment is closed. It satisfies record.Tracker.
func (x *Index) RecordingProgress(camera, path string, start, end time.Time, size int64, active bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	seg := Segment{Camera: camera, Path: path, Start: start, End: end, Size: size, Intact: true, Active: active}
	segs := x.cams[camera]
	i, found := slices.BinarySearchFunc(segs, seg, func(a, b Segment) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmpString(a.Path, b.Path)
	})
	if found {
		segs[i] = seg
		return
	}
	x.cams[camera] = slices.Insert(segs, i, seg)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Pin keeps the given segments from being removed until release is
// called: an export reading them must not lose them to retention.
func (x *Index) Pin(segs []Segment) (release func()) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, s := range segs {
		x.pins[s.Path]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			x.mu.Lock()
			defer x.mu.Unlock()
			for _, s := range segs {
				if x.pins[s.Path]--; x.pins[s.Path] <= 0 {
					delete(x.pins, s.Path)
				}
			}
		})
	}
}

// Remove deletes a segment file and forgets it. Active or pinned segments
// are refused with ErrBusy.
func (x *Index) Remove(seg Segment) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	segs := x.cams[seg.Camera]
	i := slices.IndexFunc(segs, func(s Segment) bool { return s.Path == seg.Path })
	if i < 0 {
		return fmt.Errorf("segstore: %s is not indexed", seg.Path)
	}
	if segs[i].Active || x.pins[seg.Path] > 0 {
		return ErrBusy
	}
	if err := os.Remove(seg.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("segstore: %w", err)
	}
	if err := os.Remove(ChainPath(seg.Path)); err != nil && !errors.Is(err, os.ErrNotExist) {
		x.log.Warn("segstore: cannot remove fragment chain", "path", ChainPath(seg.Path), "err", err)
	}
	x.cams[seg.Camera] = slices.Delete(segs, i, i+1)
	return nil
}

// snapshot returns a copy of every camera's segments for retention.
func (x *Index) snapshot() map[string][]Segment {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string][]Segment, len(x.cams))
	for c, segs := range x.cams {
		out[c] = slices.Clone(segs)
	}
	return out
}
