package config

import "fmt"

// Rule is a linked action: on an alarm of one of Types at Station and/or
// Camera (empty: any), do every action given.
type Rule struct {
	Types   []string `yaml:"types"`
	Station string   `yaml:"station"`
	Camera  string   `yaml:"camera"`

	// Wall, when set, shows the alarm's camera on that video wall.
	Wall string `yaml:"wall"`
	// Bookmark marks the alarm's time on the camera's recording; Lock
	// also keeps the bookmarked recording from retention.
	Bookmark bool `yaml:"bookmark"`
	Lock     bool `yaml:"lock"`
	// Clip, when set, exports the recording from Before the alarm to
	// After it.
	Clip *RuleClip `yaml:"clip"`
	// Webhooks are sent the alarm whatever types they take.
	Webhooks []string `yaml:"webhooks"`
}

// RuleClip is the range a rule exports around an alarm.
type RuleClip struct {
	Before Duration `yaml:"before"`
	After  Duration `yaml:"after"`
}

// Matches reports whether the rule applies to an alarm of typ at camera
// of station.
func (r Rule) Matches(typ, station, camera string) bool {
	if r.Station != "" && r.Station != station || r.Camera != "" && r.Camera != camera {
		return false
	}
	for _, t := range r.Types {
		if t == typ {
			return true
		}
	}
	return false
}

func (k *checker) rules(c *Config) {
	stations, cameras := map[string]bool{}, map[string]string{}
	for _, s := range c.Stations {
		stations[s.ID] = true
		for _, cam := range s.Cameras {
			cameras[cam.ID] = s.ID
		}
	}
	walls, hooks := map[string]bool{}, map[string]bool{}
	for _, w := range c.Walls {
		walls[w.ID] = true
	}
	for _, h := range c.Webhooks {
		hooks[h.ID] = true
	}
	for i, r := range c.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		if len(r.Types) == 0 {
			k.add(p+".types", "", "at least one alarm type is required")
		}
		k.alarmTypes(p+".types", r.Types)
		k.ruleScope(p, r, stations, cameras)
		if r.Wall != "" && !walls[r.Wall] {
			k.add(p+".wall", r.Wall, "no such wall")
		}
		for j, h := range r.Webhooks {
			if !hooks[h] {
				k.add(fmt.Sprintf("%s.webhooks[%d]", p, j), h, "no such webhook")
			}
		}
		k.ruleActions(p, r, c.Recording.MaxClip)
	}
}

func (k *checker) ruleScope(p string, r Rule, stations map[string]bool, cameras map[string]string) {
	if r.Station != "" && !stations[r.Station] {
		k.add(p+".station", r.Station, "no such station")
	}
	st, ok := cameras[r.Camera]
	switch {
	case r.Camera == "":
	case !ok:
		k.add(p+".camera", r.Camera, "no such camera")
	case r.Station != "" && st != r.Station:
		k.add(p+".camera", r.Camera, "not a camera of station %s", r.Station)
	}
}

func (k *checker) ruleActions(p string, r Rule, maxClip Duration) {
	if r.Wall == "" && !r.Bookmark && r.Clip == nil && len(r.Webhooks) == 0 {
		k.add(p, "", "no action: give wall, bookmark, clip or webhooks")
	}
	if r.Lock && !r.Bookmark {
		k.add(p+".lock", "", "locks the bookmark: needs bookmark: true")
	}
	if r.Clip == nil {
		return
	}
	switch {
	case r.Clip.Before < 0 || r.Clip.After < 0:
		k.add(p+".clip", "", "before and after must not be negative")
	case r.Clip.Before+r.Clip.After <= 0:
		k.add(p+".clip", "", "before + after must be positive")
	case r.Clip.Before+r.Clip.After > maxClip:
		k.add(p+".clip", "", "before + after must not exceed recording.max_clip (%s)", maxClip)
	}
}
