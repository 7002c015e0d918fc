package hub

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/media"
)

func unit(i int, key bool) *media.AccessUnit {
	return &media.AccessUnit{
		PTS:      time.Duration(i) * 40 * time.Millisecond,
		Received: time.Now(),
		NALUs:    [][]byte{{0x65, byte(i)}},
		Key:      key,
	}
}

// read returns the next delivery that carries units, skipping status ones.
func read(t *testing.T, r *Reader) Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for {
		d, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if d.Status == nil {
			return d
		}
	}
}

func TestNewReaderStartsWithCachedGOP(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam"})
	h.Publish(unit(0, false)) // before any keyframe: dropped
	for i := 1; i <= 5; i++ {
		h.Publish(unit(i, i == 1))
	}
	r := h.NewReader()
	defer r.Close()

	d := read(t, r)
	if !d.Burst || len(d.Units) != 5 || !d.Units[0].Key {
		t.Fatalf("burst = %v with %d units, first key %v; want a 5-unit burst from the keyframe",
			d.Burst, len(d.Units), len(d.Units) > 0 && d.Units[0].Key)
	}
	h.Publish(unit(6, false))
	if d := read(t, r); d.Burst || d.Units[0].PTS != unit(6, false).PTS {
		t.Fatalf("after the burst got %+v, want live unit 6", d)
	}
	if got := h.Stats().DroppedNoKey; got != 1 {
		t.Fatalf("DroppedNoKey = %d, want 1", got)
	}
}

func TestReaderWithoutCacheWaitsForKeyframe(t *testing.T) {
	t.Parallel()
	h := New(Options{})
	r := h.NewReader()
	defer r.Close()
	h.Publish(unit(0, false))
	h.Publish(unit(1, true))
	d := read(t, r)
	if d.Burst || !d.Units[0].Key {
		t.Fatalf("first delivery %+v, want live keyframe", d)
	}
}

func TestSlowReaderDoesNotStallFastOne(t *testing.T) {
	t.Parallel()
	h := New(Options{QueueFrames: 8})
	slow := h.NewReader() // never reads until the end
	defer slow.Close()
	fast := h.NewReader()
	defer fast.Close()

	const total = 100
	got := make(chan int, total)
	go func() {
		for {
			d, err := fast.Read(context.Background())
			if err != nil {
				close(got)
				return
			}
			for range d.Units {
				got <- 1
			}
		}
	}()
	for i := 0; i < total; i++ {
		h.Publish(unit(i, i%25 == 0))
		// Let the fast reader keep up; the slow one never reads.
		select {
		case <-got:
		case <-time.After(testwait.Cap):
			t.Fatalf("fast reader stalled at unit %d", i)
		}
	}
	if slow.Skips() == 0 {
		t.Fatal("slow reader never skipped")
	}
	if h.Stats().ReaderSkips == 0 {
		t.Fatal("hub did not count the skip")
	}
	// After skipping, the slow reader resumes on the next keyframe.
	h.Publish(unit(total, true))
	d := read(t, slow)
	if !d.Units[0].Key {
		t.Fatalf("slow reader resumed on a non-key unit")
	}
}

func TestOfflineDropsCacheAndNotifies(t *testing.T) {
	t.Parallel()
	h := New(Options{})
	h.SetStatus(Status{State: StateOnline})
	h.Publish(unit(0, true))
	r := h.NewReader()
	defer r.Close()

	h.SetStatus(Status{State: StateOffline, Reason: ReasonUnreachable})
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	var sawOffline bool
	for !sawOffline {
		d, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		sawOffline = d.Status != nil && d.Status.State == StateOffline && d.Status.Reason == ReasonUnreachable
	}
	// A P-frame after the drop is useless without its keyframe.
	h.Publish(unit(1, false))
	if r2 := h.NewReader(); r2 != nil {
		defer r2.Close()
		h.Publish(unit(2, true))
		if d := read(t, r2); d.Burst || !d.Units[0].Key || d.Units[0].PTS != unit(2, true).PTS {
			t.Fatalf("after reconnect got %+v, want the new keyframe", d)
		}
	}
}

func TestResyncRedeliversGOP(t *testing.T) {
	t.Parallel()
	h := New(Options{})
	r := h.NewReader()
	defer r.Close()
	h.Publish(unit(0, true))
	h.Publish(unit(1, false))
	read(t, r)
	read(t, r)
	if !r.Resync() {
		t.Fatal("Resync found no GOP")
	}
	d := read(t, r)
	if !d.Burst || len(d.Units) != 2 {
		t.Fatalf("after Resync got burst=%v len=%d, want the 2-unit GOP", d.Burst, len(d.Units))
	}
}

func TestGOPCacheLimit(t *testing.T) {
	t.Parallel()
	h := New(Options{MaxGOPFrames: 3})
	h.Publish(unit(0, true))
	for i := 1; i < 5; i++ {
		h.Publish(unit(i, false))
	}
	r := h.NewReader()
	defer r.Close()
	h.Publish(unit(5, false))
	h.Publish(unit(6, true))
	if d := read(t, r); d.Burst || !d.Units[0].Key {
		t.Fatalf("with an oversized GOP the reader should wait for the next key, got %+v", d)
	}
	if h.Stats().Frames != 7 {
		t.Fatalf("frames = %d, want 7: an uncacheable GOP still reaches readers", h.Stats().Frames)
	}
}

func TestCloseWakesRead(t *testing.T) {
	t.Parallel()
	h := New(Options{})
	r := h.NewReader()
	read := make(chan error, 1)
	go func() {
		for {
			d, err := r.Read(context.Background())
			if err != nil || d.Units != nil {
				read <- err
				return
			}
		}
	}()
	r.Close()
	select {
	case err := <-read:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Read after Close = %v, want ErrClosed", err)
		}
	case <-time.After(testwait.Cap):
		t.Fatal("Close did not wake Read")
	}
	if h.Stats().Readers != 0 {
		t.Fatal("closed reader still attached")
	}
}

func TestOnDemandTellsFirstAndLastReader(t *testing.T) {
	t.Parallel()
	var calls []int
	var h *Hub
	h = New(Options{ID: "cam", OnDemand: func() { calls = append(calls, h.Readers()) }})
	a := h.NewReader()
	b := h.NewReader()
	a.Close()
	a.Close() // twice: no second call
	b.Close()
	c := h.NewReader()
	c.Close()
	if want := []int{1, 0, 1, 0}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("OnDemand saw readers %v, want %v", calls, want)
	}
}

func TestCachedGOPIsACopyFromTheKeyframe(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam"})
	if h.CachedGOP() != nil {
		t.Fatal("a new hub has a GOP")
	}
	for i := 1; i <= 3; i++ {
		h.Publish(unit(i, i == 1))
	}
	gop := h.CachedGOP()
	h.Publish(unit(4, true))
	if len(gop) != 3 || !gop[0].Key || gop[2].PTS != unit(3, false).PTS {
		t.Fatalf("GOP %+v, want units 1–3 untouched by the next keyframe", gop)
	}
	if now := h.CachedGOP(); len(now) != 1 || now[0].PTS != unit(4, true).PTS {
		t.Fatalf("GOP after a keyframe %+v", now)
	}
}

// A reader may queue deeper than the hub's default (a recorder riding
// out a slow disk) or less; either way it skips only when its own queue
// overflows.
func TestReaderSize(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "cam", QueueFrames: 4})
	h.SetStatus(Status{State: StateOnline})
	deep, shallow := h.NewReaderSize(10), h.NewReaderSize(0)
	defer deep.Close()
	defer shallow.Close()
	for i := range 8 {
		h.Publish(unit(i, i == 0))
	}
	if deep.Skips() != 0 || shallow.Skips() != 1 {
		t.Fatalf("skips: deep %d, shallow (the hub's 4) %d", deep.Skips(), shallow.Skips())
	}
}
