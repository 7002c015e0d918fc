package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/internal/testwait"
	"vigil/streams/backoff"
)

const secret = "hook-secret"

// receiver is a real HTTP receiver on 127.0.0.1: it checks each POST's
// signature and records the bodies it accepted, in arrival order; while
// down it answers 500.
type receiver struct {
	srv      *httptest.Server
	down     atomic.Bool
	posts    atomic.Int64
	badSig   atomic.Int64
	mu       sync.Mutex
	accepted []int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.posts.Add(1)
		body, _ := io.ReadAll(req.Body)
		if !Verify(secret, body, req.Header.Get(SignatureHeader)) {
			r.badSig.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if r.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		var ev struct{ N int }
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.accepted = append(r.accepted, ev.N)
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.accepted)
}

func openStore(t *testing.T, path string) *store.Store {
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testOptions(st Store) Options {
	return Options{Store: st, Node: "n1", Retry: backoff.Policy{Min: time.Millisecond, Max: 20 * time.Millisecond}}
}

func publish(t *testing.T, s *Service, typ string, from, to int) {
	t.Helper()
	for n := from; n < to; n++ {
		if err := s.Publish(context.Background(), typ, "alarm.raised", fmt.Appendf(nil, `{"n":%d}`, n)); err != nil {
			t.Fatal(err)
		}
	}
}

func seq(from, to int) []int {
	var out []int
	for n := from; n < to; n++ {
		out = append(out, n)
	}
	return out
}

// TestDeliveredInOrderSignedAcrossRestart: events queued while the
// receiver is down, by a service that then stops, reach the receiver in
// order and signed from a new service on the same database.
func TestDeliveredInOrderSignedAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	rcv := newReceiver(t)
	rcv.down.Store(true)
	hooks := []Hook{{ID: "city", URL: rcv.srv.URL + "/hook", Secret: secret}}

	st := openStore(t, path)
	first := New(testOptions(st), hooks)
	publish(t, first, "frozen_image", 0, 10)
	testwait.For(t, "retries while the receiver is down", func() bool { return rcv.posts.Load() >= 3 })
	if first.Backlog("city") != 10 {
		t.Fatalf("backlog = %d, want 10", first.Backlog("city"))
	}
	first.Close()
	st.Close()

	st = openStore(t, path)
	second := New(testOptions(st), hooks)
	defer second.Close()
	testwait.For(t, "the backlog read back after the restart", func() bool { return second.Backlog("city") == 10 })
	publish(t, second, "frozen_image", 10, 15)
	rcv.down.Store(false)
	testwait.For(t, "all 15 delivered", func() bool { return len(rcv.got()) >= 15 })
	if got := rcv.got(); !slices.Equal(got, seq(0, 15)) {
		t.Fatalf("delivered %v, want 0..14 in order, each once", got)
	}
	if rcv.badSig.Load() != 0 {
		t.Fatalf("%d POSTs with a bad signature", rcv.badSig.Load())
	}
	testwait.For(t, "backlog 0", func() bool { return second.Backlog("city") == 0 })
	log, err := second.Deliveries(context.Background(), "city", store.DeliveryDelivered, 100)
	if err != nil || len(log) != 15 || log[len(log)-1].Attempts < 2 || log[0].LastStatus != http.StatusNoContent {
		t.Fatalf("log = %d entries (oldest %+v), %v", len(log), log[len(log)-1], err)
	}
}

// TestFailingReceiverHoldsOnlyItsQueue: a receiver answering 500 forever
// is retried and its backlog grows, while another webhook's events
// arrive and Publish never waits on either receiver.
func TestFailingReceiverHoldsOnlyItsQueue(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "vigil.db"))
	broken, good := newReceiver(t), newReceiver(t)
	broken.down.Store(true)
	s := New(testOptions(st), []Hook{
		{ID: "broken", URL: broken.srv.URL, Secret: secret},
		{ID: "good", URL: good.srv.URL, Secret: secret, Types: []string{"video_loss"}},
	})
	defer s.Close()
	publish(t, s, "video_loss", 0, 20)
	publish(t, s, "disk_low", 20, 25) // not a type "good" takes
	testwait.For(t, "good receives its 20", func() bool { return len(good.got()) == 20 })
	testwait.For(t, "broken retried", func() bool { return broken.posts.Load() >= 5 })
	if got := s.Backlog("broken"); got != 25 {
		t.Fatalf("broken backlog = %d, want 25", got)
	}
	publish(t, s, "video_loss", 25, 30)
	if got := s.Backlog("broken"); got != 30 {
		t.Fatalf("broken backlog = %d, want 30 (it grows)", got)
	}
	testwait.For(t, "good receives the next 5", func() bool { return len(good.got()) == 25 })
	if !slices.Equal(good.got(), append(seq(0, 20), seq(25, 30)...)) {
		t.Fatalf("good got %v", good.got())
	}
	if len(broken.got()) != 0 {
		t.Fatal("the broken receiver accepted something")
	}
	pending, err := s.Deliveries(context.Background(), "broken", store.DeliveryPending, 1000)
	if err != nil || len(pending) != 30 {
		t.Fatalf("pending = %d, %v", len(pending), err)
	}
	head := pending[len(pending)-1]
	if head.Attempts < 2 || head.LastStatus != 500 || !strings.Contains(head.LastError, "500") {
		t.Fatalf("head of the broken queue = %+v", head)
	}
	if pending[0].Attempts != 0 {
		t.Fatalf("the queue's tail was tried before its head: %+v", pending[0])
	}
}

// TestGivesUpAfterTheRetryWindow: a delivery older than GiveUpAfter is
// marked failed and the queue moves on to the next.
func TestGivesUpAfterTheRetryWindow(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "vigil.db"))
	rcv := newReceiver(t)
	old, err := st.EnqueueWebhook(context.Background(), store.WebhookDelivery{Webhook: "city", Node: "n1", Event: "alarm.raised",
		Body: []byte(`{"n":-1}`), CreatedAt: time.Now().Add(-2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	rcv.down.Store(true)
	opts := testOptions(st)
	opts.GiveUpAfter = time.Hour
	s := New(opts, []Hook{{ID: "city", URL: rcv.srv.URL, Secret: secret}})
	defer s.Close()
	publish(t, s, "x", 0, 1)
	testwait.For(t, "the old delivery given up", func() bool {
		d, _ := st.WebhookDeliveries(context.Background(), "city", store.DeliveryFailed, 10)
		return len(d) == 1 && d[0].ID == old.ID
	})
	rcv.down.Store(false)
	testwait.For(t, "the next delivered", func() bool { return slices.Equal(rcv.got(), []int{0}) })
}

func TestApplyReportsChanges(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "vigil.db"))
	a := Hook{ID: "a", URL: "http://127.0.0.1:1/", Secret: "x"}
	b := Hook{ID: "b", URL: "http://127.0.0.1:1/", Secret: "x"}
	s := New(testOptions(st), []Hook{a, b})
	defer s.Close()
	a2 := a
	a2.Secret = "y"
	c := Hook{ID: "c", URL: "http://127.0.0.1:1/", Secret: "x"}
	if got := s.Apply([]Hook{a2, c}); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("changed = %v", got)
	}
	if got := s.Apply([]Hook{a2, c}); len(got) != 0 {
		t.Fatalf("changed = %v, want none", got)
	}
	if err := s.Send(context.Background(), "b", "alarm.raised", []byte(`{}`)); err == nil {
		t.Fatal("send to a removed webhook")
	}
	if err := s.Send(context.Background(), "c", "alarm.raised", []byte(`not json`)); err == nil {
		t.Fatal("a body that is not JSON was queued")
	}
}

func TestSignature(t *testing.T) {
	// What a receiver computes: printf '{"n":1}' | openssl dgst -sha256 -hmac hook-secret
	const want = "sha256=67c68039894eb0779896453bcdc83f5a88f657cfb5b454f43569a7135029ec28"
	if got := Sign(secret, []byte(`{"n":1}`)); got != want {
		t.Fatalf("sign = %s, want %s", got, want)
	}
	if !Verify(secret, []byte(`{"n":1}`), want) || Verify("other", []byte(`{"n":1}`), want) || Verify(secret, []byte(`{"n":2}`), want) {
		t.Fatal("verify")
	}
}

// syncBuffer is a log sink the delivery goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsStayOut: neither the secret nor a token in the URL's query
// appears in the log or the delivery log when deliveries fail.
func TestSecretsStayOut(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "vigil.db"))
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/hook?token=tok-SECRET-1"
	dead.Close() // connection refused: Go's error quotes the URL
	var logs syncBuffer
	opts := testOptions(st)
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := New(opts, []Hook{{ID: "city", URL: url, Secret: "hmac-SECRET-2"}})
	defer s.Close()
	publish(t, s, "x", 0, 1)
	var pending []store.WebhookDelivery
	testwait.For(t, "two failed attempts", func() bool {
		pending, _ = st.WebhookDeliveries(context.Background(), "city", store.DeliveryPending, 1)
		return len(pending) == 1 && pending[0].Attempts >= 2
	})
	for _, text := range []string{logs.String(), pending[0].LastError} {
		if strings.Contains(text, "SECRET") {
			t.Fatalf("a secret leaked: %s", text)
		}
	}
	if !strings.Contains(pending[0].LastError, "connection refused") {
		t.Fatalf("last error %q does not say why", pending[0].LastError)
	}
}
