package hub

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/streams/media"
)

// pending takes every delivery a reader has ready, without waiting, and
// names them in order: "online", "online@1280" (with the track's width),
// "offline:stream_error", "unit 3", "burst 0-2".
func pending(r *Reader) string {
	var out []string
	for {
		d, ok, err := r.take()
		if err != nil || !ok {
			return strings.Join(out, " ")
		}
		switch {
		case d.Status != nil && d.Status.Reason != "":
			out = append(out, fmt.Sprintf("%s:%s", d.Status.State, d.Status.Reason))
		case d.Status != nil && d.Status.Track.Width != 0:
			out = append(out, fmt.Sprintf("%s@%d", d.Status.State, d.Status.Track.Width))
		case d.Status != nil:
			out = append(out, string(d.Status.State))
		case d.Burst:
			out = append(out, fmt.Sprintf("burst %d-%d", ptsIndex(d.Units[0]), ptsIndex(d.Units[len(d.Units)-1])))
		default:
			out = append(out, fmt.Sprintf("unit %d", ptsIndex(d.Units[0])))
		}
	}
}

// ptsIndex inverts unit's numbering.
func ptsIndex(au *media.AccessUnit) int { return int(au.PTS / unit(1, false).PTS) }

// A reader that is behind gets the units published before a status change
// first, then the change: never a unit of the stream that ended after the
// status that ended it. A viewer's tile read "offline", then the camera's
// last frames from before the drop, and went back to "playing" while the
// camera was down; the real recovery then said "playing" again and the
// console never heard it (TestConsoleTileShowsOfflineAndRecovers hung
// beside two busy loops). A recorder closed its segment on "offline" and
// dropped those last frames.
func TestStatusComesAfterTheUnitsPublishedBeforeIt(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam"})
	h.SetStatus(Status{State: StateOnline})
	r := h.NewReader()
	defer r.Close()
	if got := pending(r); got != "online" {
		t.Fatalf("a new reader has %q, want the status alone", got)
	}
	for i := range 3 {
		h.Publish(unit(i, i == 0))
	}
	h.SetStatus(Status{State: StateOffline, Reason: ReasonStreamError})
	if got, want := pending(r), "unit 0 unit 1 unit 2 offline:stream_error"; got != want {
		t.Fatalf("deliveries %q, want %q", got, want)
	}

	// The camera comes back: its status, then its first keyframe.
	h.SetStatus(Status{State: StateOnline})
	h.Publish(unit(3, true))
	h.Publish(unit(4, false))
	if got, want := pending(r), "online unit 3 unit 4"; got != want {
		t.Fatalf("after the reconnect: deliveries %q, want %q", got, want)
	}
}

// Of status changes with no unit between them a reader gets the first
// (what ended the stream it read) and the last (where it stands now).
func TestStatusRunKeepsFirstAndLast(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam"})
	h.SetStatus(Status{State: StateOnline})
	r := h.NewReader()
	defer r.Close()
	pending(r)
	h.Publish(unit(0, true))
	h.SetStatus(Status{State: StateOffline, Reason: ReasonTimeout})
	h.SetStatus(Status{State: StateConnecting})
	h.SetStatus(Status{State: StateOffline, Reason: ReasonUnreachable})
	h.SetStatus(Status{State: StateConnecting})
	if got, want := pending(r), "unit 0 offline:timeout connecting"; got != want {
		t.Fatalf("deliveries %q, want %q", got, want)
	}
}

// A burst is what was published before the statuses that follow it; a
// reader that skips (its queue overflowed) or is resynced drops the units
// but not the status changes among them, which come before what it gets
// next.
func TestBurstAndSkipKeepStatusOrder(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam", QueueFrames: 4})
	h.SetStatus(Status{State: StateOnline})
	h.Publish(unit(0, true))
	h.Publish(unit(1, false))
	r := h.NewReader()
	defer r.Close()
	h.SetStatus(Status{State: StateOffline, Reason: ReasonStreamError})
	if got, want := pending(r), "online burst 0-1 offline:stream_error"; got != want {
		t.Fatalf("a new reader: deliveries %q, want %q", got, want)
	}

	// Down and back while the reader does not read, a new resolution,
	// then more units than its queue holds: it skips to the next
	// keyframe, and the status changes it skipped collapse to the first
	// and the last.
	h.SetStatus(Status{State: StateOffline, Reason: ReasonTimeout})
	h.SetStatus(Status{State: StateOnline})
	h.Publish(unit(2, true))
	h.Publish(unit(3, false))
	h.SetStatus(Status{State: StateOnline, Track: media.Track{Codec: media.CodecH264, Width: 1280}})
	for i := 4; i < 8; i++ { // unit 6 overflows the 4-unit queue
		h.Publish(unit(i, false))
	}
	h.Publish(unit(8, true))
	if got, want := pending(r), "offline:timeout online@1280 unit 8"; got != want {
		t.Fatalf("after a skip: deliveries %q, want %q", got, want)
	}
	if r.Skips() != 1 {
		t.Fatalf("skips = %d, want 1", r.Skips())
	}
}

// TestTryReadTakesWithoutWaiting: TryRead returns what is queued and
// false at once when nothing is, Ready tells that something came, and a
// closed reader says so.
func TestTryReadTakesWithoutWaiting(t *testing.T) {
	h := New(Options{ID: "cam/audio"})
	rd := h.NewReader()
	if d, ok, err := rd.TryRead(); !ok || err != nil || d.Status == nil {
		t.Fatalf("a new reader's first delivery %+v (%v, %v), want the hub's status", d, ok, err)
	}
	if _, ok, err := rd.TryRead(); ok || err != nil {
		t.Fatalf("an empty reader gave a delivery (%v, %v)", ok, err)
	}
	h.Publish(&media.AccessUnit{PTS: 0, Key: true, NALUs: [][]byte{{1}}})
	h.Publish(&media.AccessUnit{PTS: 20 * time.Millisecond, Key: true, NALUs: [][]byte{{2}}})
	select {
	case <-rd.Ready():
	default:
		t.Fatal("Ready did not tell of the units published")
	}
	var got []byte
	for {
		d, ok, err := rd.TryRead()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		for _, au := range d.Units {
			got = append(got, au.NALUs[0][0])
		}
	}
	if string(got) != "\x01\x02" {
		t.Fatalf("took units %v, want 1 then 2", got)
	}
	rd.Close()
	if _, _, err := rd.TryRead(); err != ErrClosed {
		t.Fatalf("a closed reader's TryRead: %v, want ErrClosed", err)
	}
}
