package actions

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"vigil/gateway/clips"
	"vigil/gateway/config"
	"vigil/gateway/signal"
	"vigil/gateway/store"
	"vigil/gateway/webhooks"
	"vigil/internal/testwait"
	"vigil/streams/backoff"
)

const secret = "rule-secret"

// hookReceiver is a real HTTP receiver recording the signed bodies it got.
type hookReceiver struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !webhooks.Verify(secret, body, r.Header.Get(webhooks.SignatureHeader)) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m map[string]any
	json.Unmarshal(body, &m)
	h.mu.Lock()
	h.bodies = append(h.bodies, m)
	h.mu.Unlock()
}

func (h *hookReceiver) events() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, b := range h.bodies {
		alarm, _ := b["alarm"].(map[string]any)
		out = append(out, b["event"].(string)+" "+alarm["camera"].(string))
	}
	return out
}

// recorded implements Clips and Bookmarks by recording what was asked.
type recorded struct {
	mu        sync.Mutex
	clips     []clips.Request
	bookmarks []Bookmark
}

func (r *recorded) Start(_ context.Context, req clips.Request) (store.Clip, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clips = append(r.clips, req)
	return store.Clip{ID: "c1"}, nil
}

func (r *recorded) CreateBookmark(_ context.Context, b Bookmark) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bookmarks = append(r.bookmarks, b)
	return nil
}

func (r *recorded) counts() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.clips), len(r.bookmarks)
}

type fixture struct {
	acts    *Actions
	walls   *signal.Walls
	rec     *recorded
	ops     *hookReceiver
	city    *hookReceiver
	store   *store.Store
	hooksvc *webhooks.Service
}

func newFixture(t *testing.T, rules []config.Rule) *fixture {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	walls, err := signal.NewWalls(ctx, st, []signal.WallDef{{ID: "hall", Name: "hall"}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{walls: walls, rec: &recorded{}, ops: &hookReceiver{}, city: &hookReceiver{}, store: st}
	ops, city := httptest.NewServer(f.ops), httptest.NewServer(f.city)
	t.Cleanup(ops.Close)
	t.Cleanup(city.Close)
	f.hooksvc = webhooks.New(webhooks.Options{Store: st, Node: "n1", Retry: backoff.Policy{Min: time.Millisecond, Max: 10 * time.Millisecond}},
		[]webhooks.Hook{{ID: "ops", URL: ops.URL, Secret: secret, Types: []string{"disk_low"}},
			{ID: "city", URL: city.URL, Secret: secret, Types: []string{"frozen_image"}}})
	t.Cleanup(f.hooksvc.Close)
	f.acts = New(Options{Rules: rules, Walls: walls, Clips: f.rec, Bookmarks: f.rec, Webhooks: f.hooksvc, ClipDelay: time.Millisecond})
	t.Cleanup(f.acts.Close)
	return f
}

var frozenRule = config.Rule{Types: []string{"frozen_image"}, Station: "bjx", Camera: "bjx-nsq-01", Wall: "hall",
	Bookmark: true, Lock: true, Clip: &config.RuleClip{Before: config.Duration(10 * time.Second), After: config.Duration(20 * time.Second)},
	Webhooks: []string{"ops"}}

func alarm(id, camera, state string, count int) Event {
	return Event{ID: id, Type: "frozen_image", Camera: camera, Station: "bjx", State: state, Count: count,
		RaisedAt: time.Now().Add(-time.Minute), Detail: "picture unchanged for 30 s"}
}

// TestRuleRunsOncePerAlarm: an alarm a rule matches shows its camera on the
// wall, bookmarks, exports its range and reaches the rule's webhook, once
// however often the open alarm repeats; every change reaches the webhooks
// subscribed to its type.
func TestRuleRunsOncePerAlarm(t *testing.T) {
	f := newFixture(t, []config.Rule{frozenRule})
	ctx := context.Background()
	f.walls.Put(ctx, "hall", store.WallLayout{Grid: "2x2", Cameras: []string{"a", "bjx-nsq-01", "b", "c"}}, "op")

	first := alarm("a1", "bjx-nsq-01", StateActive, 1)
	f.acts.Handle(first)
	f.acts.Handle(alarm("a1", "bjx-nsq-01", StateActive, 2)) // flapping: the same open alarm
	f.acts.Handle(alarm("a2", "bjx-nsq-02", StateActive, 1)) // not the rule's camera
	f.acts.Handle(alarm("a1", "bjx-nsq-01", "cleared", 2))

	testwait.For(t, "the clip export", func() bool { n, _ := f.rec.counts(); return n == 1 })
	testwait.For(t, "ops webhook", func() bool { return len(f.ops.events()) == 1 })
	testwait.For(t, "city webhook: every change", func() bool { return len(f.city.events()) == 4 })
	want := []string{"alarm.active bjx-nsq-01", "alarm.active bjx-nsq-01", "alarm.active bjx-nsq-02", "alarm.cleared bjx-nsq-01"}
	if got := f.city.events(); !slices.Equal(got, want) {
		t.Fatalf("city got %v, want %v", got, want)
	}
	if got := f.ops.events(); got[0] != "alarm.active bjx-nsq-01" {
		t.Fatalf("ops got %v", got)
	}
	wall, err := f.walls.Get(ctx, "hall")
	if err != nil || wall.Layout.Grid != "2x2" || !slices.Equal(wall.Layout.Cameras, []string{"bjx-nsq-01", "a", "b", "c"}) || wall.UpdatedBy != Actor {
		t.Fatalf("wall = %+v, %v", wall, err)
	}
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	c := f.rec.clips[0]
	if c.Camera != "bjx-nsq-01" || !c.From.Equal(first.RaisedAt.Add(-10*time.Second)) || !c.To.Equal(first.RaisedAt.Add(20*time.Second)) {
		t.Fatalf("clip = %+v", c)
	}
	if len(f.rec.bookmarks) != 1 || !f.rec.bookmarks[0].Lock || !f.rec.bookmarks[0].At.Equal(first.RaisedAt) {
		t.Fatalf("bookmarks = %+v", f.rec.bookmarks)
	}
}

// TestSetRulesTakesEffect: after a reload's new rules, an alarm the old
// rule matched does nothing and one the new rule matches acts.
func TestSetRulesTakesEffect(t *testing.T) {
	f := newFixture(t, []config.Rule{frozenRule})
	moved := frozenRule
	moved.Camera, moved.Wall, moved.Webhooks, moved.Clip = "bjx-nsq-02", "", nil, nil
	f.acts.SetRules([]config.Rule{moved})
	f.acts.Handle(alarm("a1", "bjx-nsq-01", StateActive, 1))
	f.acts.Handle(alarm("a2", "bjx-nsq-02", StateActive, 1))
	testwait.For(t, "the new rule's bookmark", func() bool { _, n := f.rec.counts(); return n >= 1 })
	testwait.For(t, "both alarms at city", func() bool { return len(f.city.events()) == 2 })
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	if len(f.rec.bookmarks) != 1 || f.rec.bookmarks[0].Camera != "bjx-nsq-02" || len(f.rec.clips) != 0 {
		t.Fatalf("bookmarks %+v clips %+v", f.rec.bookmarks, f.rec.clips)
	}
}

// stuckHooks blocks every Publish until released.
type stuckHooks struct{ release chan struct{} }

func (s stuckHooks) Publish(ctx context.Context, _, _ string, _ []byte) error {
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return nil
}

func (s stuckHooks) Send(context.Context, string, string, []byte) error {
	return errors.New("not used")
}

// TestHandleNeverBlocks: with the actions goroutine stuck, Handle still
// returns at once, dropping (and counting) what does not fit the queue.
func TestHandleNeverBlocks(t *testing.T) {
	stuck := stuckHooks{release: make(chan struct{})}
	a := New(Options{Webhooks: stuck})
	defer a.Close()
	defer close(stuck.release)
	for range QueueSize + 10 {
		a.Handle(alarm("x", "c", StateActive, 1))
	}
	if a.Dropped() < 9 {
		t.Fatalf("dropped %d, want at least 9", a.Dropped())
	}
}
