package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"unicode/utf8"

	"vigil/internal/ids"
)

const maxNameLen = 100

// checker collects every problem instead of stopping at the first, so an
// operator fixes a config in one pass.
type checker struct {
	lines map[string]int
	errs  []error
}

func (k *checker) add(path, value, format string, args ...any) {
	k.errs = append(k.errs, &Error{
		Line: lineOf(k.lines, path), Path: path, Value: value,
		Msg: fmt.Sprintf(format, args...),
	})
}

// Validate checks the config and returns every problem found, each naming
// its line and key path.
func (c *Config) Validate() error {
	k := &checker{lines: c.lines}
	k.stations(c.Stations)
	k.recording(c.Recording)
	k.webrtc(c.WebRTC)
	k.walls(c.Walls, c.Stations)
	k.transcode(c.Transcode)
	k.cluster(c.Cluster, c.Stations)
	k.http(c.HTTP)
	k.alarms(c.Alarms, c.Stations)
	k.webhooks(c.Webhooks)
	k.rules(c)
	return errors.Join(k.errs...)
}

func (k *checker) stations(stations []Station) {
	if len(stations) == 0 {
		k.add("stations", "", "at least one station is required")
	}
	stationIDs := map[string]string{} // id → path of first use
	cameraIDs := map[string]string{}
	for i, s := range stations {
		p := fmt.Sprintf("stations[%d]", i)
		k.id(p+".id", s.ID, stationIDs)
		k.name(p+".name", s.Name)
		k.name(p+".name_en", s.NameEN)
		for j, cam := range s.Cameras {
			cp := fmt.Sprintf("%s.cameras[%d]", p, j)
			k.id(cp+".id", cam.ID, cameraIDs)
			k.camera(cp, cam)
		}
		k.layout(p+".layout", s)
	}
}

// id checks an id's form and its uniqueness among seen.
func (k *checker) id(path, id string, seen map[string]string) {
	if !ids.Valid(id) {
		k.add(path, id, ids.Rule)
		return
	}
	if first, dup := seen[id]; dup {
		k.add(path, id, "duplicate id (first used at line %d)", lineOf(k.lines, first))
		return
	}
	seen[id] = path
}

func (k *checker) name(path, name string) {
	if utf8.RuneCountInString(name) > maxNameLen {
		k.add(path, "", "must be at most %d characters", maxNameLen)
	}
}

func (k *checker) layout(p string, s Station) {
	l := s.Layout
	if !ValidGrid(l.Grid) {
		k.add(p+".grid", l.Grid, "must be one of 1, 2x2, 3x3, 4x4, 5x5, 1+5, 1+7")
	} else if n := GridCapacity(l.Grid); len(l.Cameras) > n {
		k.add(p+".cameras", "", "%d cameras do not fit grid %s (%d tiles)", len(l.Cameras), l.Grid, n)
	}
	inStation := map[string]bool{}
	for _, c := range s.Cameras {
		inStation[c.ID] = true
	}
	listed := map[string]bool{}
	for i, id := range l.Cameras {
		cp := fmt.Sprintf("%s.cameras[%d]", p, i)
		switch {
		case !inStation[id]:
			k.add(cp, id, "no such camera in station %s", s.ID)
		case listed[id]:
			k.add(cp, id, "listed twice")
		}
		listed[id] = true
	}
}

func (k *checker) recording(r Recording) {
	if r.Retention <= 0 {
		k.add("recording.retention", r.Retention.String(), "must be positive")
	}
	if r.MaxClip <= 0 {
		k.add("recording.max_clip", r.MaxClip.String(), "must be positive")
	} else if r.Retention > 0 && r.MaxClip > r.Retention {
		k.add("recording.max_clip", r.MaxClip.String(), "must not exceed recording.retention (%s)", r.Retention)
	}
	if r.MaxBytes < 0 {
		k.add("recording.max_bytes", "", "must not be negative")
	}
	if r.PerCameraMaxBytes < 0 {
		k.add("recording.per_camera_max_bytes", "", "must not be negative")
	}
}

func (k *checker) webrtc(w WebRTC) {
	for i, ip := range w.PublicIPs {
		p := fmt.Sprintf("webrtc.public_ips[%d]", i)
		a, err := netip.ParseAddr(ip)
		if err != nil || a.Zone() != "" {
			k.add(p, ip, "must be an IP address")
			continue
		}
		if a.IsUnspecified() || a.IsMulticast() || net.IP(a.AsSlice()).Equal(net.IPv4bcast) {
			k.add(p, ip, "must be a unicast address")
		}
	}
}

func (k *checker) walls(walls []Wall, stations []Station) {
	known := map[string]bool{}
	for _, s := range stations {
		known[s.ID] = true
	}
	seen := map[string]string{}
	for i, w := range walls {
		p := fmt.Sprintf("walls[%d]", i)
		k.id(p+".id", w.ID, seen)
		k.name(p+".name", w.Name)
		listed := map[string]bool{}
		for j, id := range w.Stations {
			sp := fmt.Sprintf("%s.stations[%d]", p, j)
			switch {
			case !known[id]:
				k.add(sp, id, "no such station")
			case listed[id]:
				k.add(sp, id, "listed twice")
			}
			listed[id] = true
		}
	}
}
