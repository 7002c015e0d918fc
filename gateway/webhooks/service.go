// Package webhooks delivers alarm events to the receivers the config
// names (DESIGN.md "Alarms"): each POST carries a JSON body signed with
// the webhook's secret (X-Vigil-Signature: sha256=<hex HMAC-SHA256>).
// Deliveries are queued in the store before Publish returns, so a restart
// loses none, and each webhook has one goroutine that delivers its queue
// in order: the next waits until the receiver accepted the head, retried
// with backoff and jitter until GiveUpAfter. A receiver that fails
// forever holds up only its own queue.
package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"vigil/gateway/store"
	"vigil/streams/backoff"
)

// Hook is one receiver.
type Hook struct {
	ID     string
	URL    string
	Secret string
	// Types are the alarm types Publish sends it; empty: every type.
	Types []string
}

func (h Hook) takes(typ string) bool { return len(h.Types) == 0 || slices.Contains(h.Types, typ) }

// Store is the part of the store the queue lives in.
type Store interface {
	EnqueueWebhook(ctx context.Context, d store.WebhookDelivery) (store.WebhookDelivery, error)
	NextWebhookDelivery(ctx context.Context, webhook, node string) (store.WebhookDelivery, error)
	UpdateWebhookDelivery(ctx context.Context, d store.WebhookDelivery) error
	WebhookDeliveries(ctx context.Context, webhook, state string, limit int) ([]store.WebhookDelivery, error)
	WebhookBacklog(ctx context.Context, webhook, node string) (int, error)
	PruneWebhookDeliveries(ctx context.Context, before time.Time) (int64, error)
}

// Defaults of Options.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultGiveUpAfter = 24 * time.Hour
	DefaultKeepLog     = 30 * 24 * time.Hour
)

// DefaultRetry is the wait between attempts: from 1 s doubling to 5 min.
var DefaultRetry = backoff.Policy{Min: time.Second, Max: 5 * time.Minute}

// Options configure the service.
type Options struct {
	Store Store
	// Node delivers what it queued (in a cluster, each node its own).
	Node string
	// Timeout bounds one POST (default 10 s).
	Timeout time.Duration
	// Retry is the backoff between attempts (default DefaultRetry);
	// GiveUpAfter ends the retries of a delivery that old, marking it
	// failed so the queue moves on (default 24 h).
	Retry       backoff.Policy
	GiveUpAfter time.Duration
	// KeepLog is how long finished deliveries stay in the log (default 30 days).
	KeepLog time.Duration
	Logger  *slog.Logger
}

// Service owns one delivery goroutine per webhook.
type Service struct {
	opts    Options
	log     *slog.Logger
	client  *http.Client
	metrics *metrics

	mu      sync.Mutex
	workers map[string]*worker
	closed  bool

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New starts delivering the queues of hooks, including what a previous
// run left in the store.
func New(opts Options, hooks []Hook) *Service {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Retry.Min <= 0 {
		opts.Retry = DefaultRetry
	}
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = DefaultGiveUpAfter
	}
	if opts.KeepLog <= 0 {
		opts.KeepLog = DefaultKeepLog
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{opts: opts, log: opts.Logger, metrics: newMetrics(), workers: map[string]*worker{}, cancel: cancel,
		client: &http.Client{Timeout: opts.Timeout, CheckRedirect: noRedirects}}
	s.Apply(hooks)
	s.wg.Go(func() { s.pruneLoop(ctx) })
	return s
}

// noRedirects keeps a POST from being turned into a GET elsewhere: a
// redirect is a failed delivery, logged with its status.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Apply makes hooks the set of webhooks: new ones start, removed ones
// stop (their undelivered queue stays in the store until the id comes
// back), changed ones restart with the new URL or secret. It returns the
// ids that changed, sorted.
func (s *Service) Apply(hooks []Hook) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	want := make(map[string]Hook, len(hooks))
	for _, h := range hooks {
		want[h.ID] = h
	}
	var changed []string
	for id, w := range s.workers {
		if h, ok := want[id]; !ok || !sameHook(h, w.hook) {
			w.stop()
			delete(s.workers, id)
			s.metrics.forget(id)
			changed = append(changed, id)
		}
	}
	for id, h := range want {
		if _, ok := s.workers[id]; !ok {
			s.workers[id] = s.startWorker(h)
			if !slices.Contains(changed, id) {
				changed = append(changed, id)
			}
		}
	}
	slices.Sort(changed)
	return changed
}

func sameHook(a, b Hook) bool {
	return a.URL == b.URL && a.Secret == b.Secret && slices.Equal(a.Types, b.Types)
}

// Publish queues body (JSON) for every webhook that takes alarm type typ;
// event names what happened ("alarm.raised"). It returns once the
// deliveries are in the store; it never waits on a receiver.
func (s *Service) Publish(ctx context.Context, typ, event string, body []byte) error {
	var errs []error
	for _, w := range s.snapshot() {
		if w.hook.takes(typ) {
			errs = append(errs, w.enqueue(ctx, event, body))
		}
	}
	return errors.Join(errs...)
}

// Send queues body for the webhook id whatever types it takes (a rule's
// action).
func (s *Service) Send(ctx context.Context, id, event string, body []byte) error {
	s.mu.Lock()
	w := s.workers[id]
	s.mu.Unlock()
	if w == nil {
		return fmt.Errorf("webhook %s: no such webhook", id)
	}
	return w.enqueue(ctx, event, body)
}

func (s *Service) snapshot() []*worker {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Values(s.workers))
}

// Deliveries returns the delivery log, newest first: of one webhook or
// all (""), in one state or all ("").
func (s *Service) Deliveries(ctx context.Context, webhook, state string, limit int) ([]store.WebhookDelivery, error) {
	return s.opts.Store.WebhookDeliveries(ctx, webhook, state, limit)
}

// Close stops every delivery goroutine and waits for them; what is not
// delivered stays queued in the store for the next start.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	for _, w := range s.workers {
		w.stop()
	}
	s.workers = nil
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// pruneLoop drops finished deliveries older than KeepLog, hourly.
func (s *Service) pruneLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.opts.Store.PruneWebhookDeliveries(ctx, time.Now().Add(-s.opts.KeepLog)); err != nil && ctx.Err() == nil {
			s.log.Warn("webhook delivery log: prune failed", "err", err)
		} else if n > 0 {
			s.log.Info("webhook delivery log pruned", "deliveries", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// validJSON refuses a body that is not JSON: receivers parse it.
func validJSON(body []byte) error {
	if !json.Valid(body) {
		return errors.New("webhook body is not JSON")
	}
	return nil
}
