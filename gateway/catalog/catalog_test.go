package catalog

import (
	"slices"
	"testing"

	"vigil/streams/hub"
	"vigil/streams/transcode"
)

func camera(id, station string, sub, audio bool) *Camera {
	c := &Camera{ID: id, Station: station, MainHub: hub.New(hub.Options{ID: id})}
	if sub {
		c.SubHub = hub.New(hub.Options{ID: id + "/sub"})
	}
	if audio {
		c.AudioHub = hub.New(hub.Options{ID: id + "/audio"})
	}
	return c
}

func twoStations(tr *Transcoders) *Catalog {
	return New([]*Station{
		{ID: "bjx", Cameras: []*Camera{camera("bjx-2", "bjx", true, true), camera("bjx-1", "bjx", false, false)}},
		{ID: "bj", Cameras: []*Camera{camera("bj-1", "bj", false, false)}},
	}, tr)
}

func TestLookups(t *testing.T) {
	t.Parallel()
	c := twoStations(nil)
	if st, ok := c.Station("bj"); !ok || st.ID != "bj" {
		t.Fatalf("Station(bj) = %v, %v", st, ok)
	}
	if _, ok := c.Station("nope"); ok {
		t.Fatal("an unknown station was found")
	}
	if cam, ok := c.Camera("bjx-1"); !ok || cam.Station != "bjx" {
		t.Fatalf("Camera(bjx-1) = %v, %v", cam, ok)
	}
	if _, ok := c.Camera("bjx-9"); ok {
		t.Fatal("an unknown camera was found")
	}
	var ids []string
	for _, cam := range c.Cameras() {
		ids = append(ids, cam.ID)
	}
	if want := []string{"bj-1", "bjx-1", "bjx-2"}; !slices.Equal(ids, want) {
		t.Fatalf("Cameras() = %v, want sorted %v", ids, want)
	}
	if got := c.Stations(); len(got) != 2 || got[0].ID != "bjx" {
		t.Fatalf("Stations() not in config order: %v", got)
	}
	// Every main hub and the one sub hub; audio hubs are not video hubs.
	if n := len(c.Hubs()); n != 4 {
		t.Fatalf("Hubs() has %d hubs, want 4", n)
	}
}

func TestHubFallsBackToMain(t *testing.T) {
	t.Parallel()
	c := twoStations(nil)
	with, _ := c.Camera("bjx-2")
	without, _ := c.Camera("bjx-1")
	if with.Hub(Sub) != with.SubHub || with.Hub(Main) != with.MainHub {
		t.Fatal("a camera with a sub stream does not give each quality its hub")
	}
	if without.Hub(Sub) != without.MainHub {
		t.Fatal("a camera without a sub stream does not fall back to main")
	}
	if without.Audio() != nil {
		t.Fatal("a camera whose audio is not pulled offers an audio stream")
	}
	if with.Audio() == nil || with.Audio().Native != with.AudioHub {
		t.Fatal("a camera with audio does not offer its audio hub")
	}
}

// Transcoders are made on first use only, once per input hub, and closed
// with the catalog.
func TestTranscodersAreLazyAndShared(t *testing.T) {
	t.Parallel()
	var made []string
	tr := &Transcoders{New: func(kind transcode.Kind, in *hub.Hub, id string) *transcode.Transcoder {
		made = append(made, id)
		return transcode.New(transcode.Options{Kind: kind, Input: in, ID: id})
	}}
	c := twoStations(tr)
	cam, _ := c.Camera("bjx-2")
	s := cam.Video(Sub)
	if s.Native != cam.SubHub || s.Transcode == nil {
		t.Fatalf("Video(Sub) = %+v, want the sub hub with a transcode", s)
	}
	if len(made) != 0 || cam.Transcoder(cam.SubHub) != nil {
		t.Fatalf("handing out a stream made transcoders: %v", made)
	}
	out := s.Transcode.Output()
	if out == nil || len(made) != 1 || made[0] != "bjx-2/sub/h264" {
		t.Fatalf("first use made %v", made)
	}
	if cam.Video(Sub).Transcode.Output() != out || len(made) != 1 {
		t.Fatalf("a second stream of the same hub made another transcoder: %v", made)
	}
	if cam.Transcoder(cam.SubHub) == nil {
		t.Fatal("the transcoder made is not reported")
	}
	if on, found := cam.Transcoding(); !on || !found {
		t.Fatalf("Transcoding() = %v, %v", on, found)
	}
	c.Close()
	if cam.Transcoder(cam.SubHub) != nil {
		t.Fatal("Close left the transcoder listed")
	}
}

func TestNoTranscodersMeansNative(t *testing.T) {
	t.Parallel()
	c := twoStations(nil)
	cam, _ := c.Camera("bj-1")
	if s := cam.Video(Main); s.Native != cam.MainHub || s.Transcode != nil {
		t.Fatalf("Video(Main) = %+v, want the main hub alone", s)
	}
	if on, _ := cam.Transcoding(); on {
		t.Fatal("transcoding reported on without transcoders")
	}
	c.Close() // nil transcoders: nothing to stop, no panic
}
