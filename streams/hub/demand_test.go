package hub

import "testing"

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestWatchedFollowsLiveReadersOnly(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam"})
	watched, changed := h.Watched()
	if watched {
		t.Fatal("a hub without readers is watched")
	}
	rec := h.NewBackgroundReader(0)
	if watched, _ := h.Watched(); watched || closed(changed) {
		t.Fatal("a background reader made the hub watched")
	}
	viewer := h.NewReader()
	if !closed(changed) {
		t.Fatal("the first viewer did not signal the change")
	}
	watched, changed = h.Watched()
	if !watched {
		t.Fatal("a hub with a viewer is not watched")
	}
	second := h.NewReader()
	second.Close()
	if closed(changed) {
		t.Fatal("a second viewer coming and going signalled a change")
	}
	viewer.Close()
	if !closed(changed) {
		t.Fatal("the last viewer leaving did not signal the change")
	}
	if watched, _ := h.Watched(); watched {
		t.Fatal("a hub whose viewers left is watched")
	}
	rec.Close()
	viewer.Close() // twice: counted once
	if watched, _ := h.Watched(); watched || h.watch.live != 0 {
		t.Fatalf("live readers %d after every reader closed", h.watch.live)
	}
}

func TestBackgroundReaderGetsEveryFrame(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam"})
	rec := h.NewBackgroundReader(10)
	defer rec.Close()
	for i := range 5 {
		h.Publish(unit(i, i == 0))
	}
	var got int
	for got < 5 {
		d, err := rec.Read(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		got += len(d.Units)
	}
}
