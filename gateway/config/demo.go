package config

// demoCamera is a camera of the demo config: id suffix, Chinese and English
// area name.
type demoCamera struct{ area, name, nameEN string }

// demoStations are the five station areas of the demo, four cameras each,
// named after the places a station's CCTV typically covers.
var demoStations = []struct {
	id, name, nameEN string
	cams             [4]demoCamera
}{
	{"bjx", "北京西站", "Beijing West", [4]demoCamera{
		{"nsq-01", "北广场 1", "North Square 1"},
		{"ssq-01", "南广场 1", "South Square 1"},
		{"hall-01", "候车大厅 1", "Waiting Hall 1"},
		{"plt-01", "站台 1", "Platform 1"},
	}},
	{"bj", "北京站", "Beijing", [4]demoCamera{
		{"sq-01", "站前广场 1", "Station Square 1"},
		{"tkt-01", "售票厅 1", "Ticket Hall 1"},
		{"hall-01", "候车大厅 1", "Waiting Hall 1"},
		{"plt-02", "站台 2", "Platform 2"},
	}},
	{"bjn", "北京南站", "Beijing South", [4]demoCamera{
		{"nsq-01", "北广场 1", "North Square 1"},
		{"sec-01", "安检口 1", "Security Check 1"},
		{"hall-01", "候车大厅 1", "Waiting Hall 1"},
		{"plt-12", "站台 12", "Platform 12"},
	}},
	{"bjb", "北京北站", "Beijing North", [4]demoCamera{
		{"sq-01", "站前广场 1", "Station Square 1"},
		{"ent-01", "进站口 1", "Entrance 1"},
		{"hall-01", "候车室 1", "Waiting Room 1"},
		{"plt-03", "站台 3", "Platform 3"},
	}},
	{"qh", "清河站", "Qinghe", [4]demoCamera{
		{"wsq-01", "西广场 1", "West Square 1"},
		{"esq-01", "东广场 1", "East Square 1"},
		{"hall-01", "候车大厅 1", "Waiting Hall 1"},
		{"ext-01", "出站口 1", "Exit 1"},
	}},
}

// The demo's cameras beyond the plain H.264 ones, outside the stations'
// 2x2 layouts: the gateway encodes them as real station cameras of newer
// and older kinds send (see gateway/demo.go).
const (
	DemoH265Camera    = "bjx-ent-05" // H.265 with AAC sound
	DemoBFramesCamera = "bjn-plt-05" // H.264 with B-frames and G.711 sound
)

// demoExtras are the extra cameras per station id.
var demoExtras = map[string][]demoCamera{
	"bjx": {{"ent-05", "进站口 5 (H.265)", "Entrance 5 (H.265)"}},
	"bjn": {{"plt-05", "站台 5 (B帧)", "Platform 5 (B-frames)"}},
}

// DemoRecordingMaxBytes bounds the demo's recordings on disk. Its 22
// simulated cameras record about 13 GiB an hour (the built-in encoder's
// keyframes are uncompressed), so 16 GiB keeps a little over an hour:
// enough to look back through the last hour, as the issue asks.
const DemoRecordingMaxBytes = ByteSize(16 << 30)

// DemoRecordingPerHour is what the demo's cameras record in an hour,
// measured (22 cameras, 274 MB in 72 s), for the log's statement of how
// long the demo keeps.
const DemoRecordingPerHour = ByteSize(13 << 30)

// Demo returns the demo mode config: five stations of four cameras each,
// every station's layout a 2x2 of its cameras, all recorded. Camera URLs are
// empty; the gateway points them at its simulated cameras before use, so
// Demo's result only validates once they are filled in.
func Demo() *Config {
	cfg := newDefaults()
	for _, ds := range demoStations {
		st := Station{ID: ds.id, Name: ds.name, NameEN: ds.nameEN, Layout: Layout{Grid: "2x2"}}
		for _, dc := range ds.cams {
			record := true
			id := ds.id + "-" + dc.area
			st.Cameras = append(st.Cameras, Camera{
				ID: id, Name: dc.name, NameEN: dc.nameEN,
				Transport: DefaultTransport, Record: &record,
			})
			st.Layout.Cameras = append(st.Layout.Cameras, id)
		}
		for _, dc := range demoExtras[ds.id] {
			record := true
			st.Cameras = append(st.Cameras, Camera{
				ID: ds.id + "-" + dc.area, Name: dc.name, NameEN: dc.nameEN,
				Transport: DefaultTransport, Record: &record,
			})
		}
		cfg.Stations = append(cfg.Stations, st)
	}
	cfg.Walls = []Wall{{ID: DefaultWallID, Name: DefaultWallName}}
	// The newest 16 GiB, a little over an hour, not a week: the log says
	// so where recording starts.
	cfg.Recording.MaxBytes = DemoRecordingMaxBytes
	return cfg
}
