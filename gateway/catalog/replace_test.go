package catalog

import (
	"sync"
	"testing"

	"vigil/streams/hub"
)

func station(id string, cams ...string) *Station {
	st := &Station{ID: id}
	for _, c := range cams {
		st.Cameras = append(st.Cameras, &Camera{ID: c, Station: id, MainHub: hub.New(hub.Options{ID: c})})
	}
	return st
}

// TestReplace: a reload's stations replace the old ones whole while
// readers go on; a camera carried over keeps its hub.
func TestReplace(t *testing.T) {
	t.Parallel()
	c := New([]*Station{station("bjx", "a", "b")}, nil)
	a, _ := c.Camera("a")
	var readers sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, st := range c.Stations() {
					for _, cam := range st.Cameras {
						if got, ok := c.Camera(cam.ID); ok && got.ID != cam.ID {
							t.Error("camera lookup inconsistent")
						}
					}
				}
				_ = c.Cameras()
			}
		})
	}
	next := station("bjx", "c")
	next.Cameras = append(next.Cameras, &Camera{ID: "a", Station: "bjx", MainHub: a.MainHub})
	c.Replace([]*Station{next, station("qh", "d")})
	close(stop)
	readers.Wait()

	if _, ok := c.Camera("b"); ok {
		t.Fatal("removed camera still found")
	}
	if got, ok := c.Camera("a"); !ok || got.MainHub != a.MainHub {
		t.Fatal("carried-over camera lost its hub")
	}
	var ids []string
	for _, cam := range c.Cameras() {
		ids = append(ids, cam.ID)
	}
	if len(ids) != 3 || ids[0] != "a" || ids[2] != "d" {
		t.Fatalf("cameras %v", ids)
	}
	if st, ok := c.Station("qh"); !ok || len(st.Cameras) != 1 {
		t.Fatal("added station not found")
	}
}
