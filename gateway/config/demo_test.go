package config

import "testing"

// TestDemoAreas: every demo camera is on an area, the tree's level below
// its station, in both languages.
func TestDemoAreas(t *testing.T) {
	t.Parallel()
	areas := map[string]string{}
	for _, st := range Demo().Stations {
		for _, c := range st.Cameras {
			if c.Area == "" || c.AreaEN == "" {
				t.Errorf("%s (%s) has no area", c.ID, c.Name)
			}
			areas[c.ID] = c.Area + "|" + c.AreaEN
		}
	}
	for id, want := range map[string]string{
		"bjx-nsq-01": "北广场|North Square", "bjn-plt-12": "站台|Platform",
		DemoH265Camera: "进站口|Entrance", "bj-tkt-01": "售票厅|Ticket Hall",
	} {
		if areas[id] != want {
			t.Errorf("%s: area %q, want %q", id, areas[id], want)
		}
	}
}
