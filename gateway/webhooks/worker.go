package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"vigil/gateway/store"
	"vigil/streams/backoff"
	"vigil/streams/redact"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
// with the webhook's secret.
const SignatureHeader = "X-Vigil-Signature"

// Sign returns the X-Vigil-Signature value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature under secret (what a
// receiver does), in constant time.
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// worker delivers one webhook's queue, head first.
type worker struct {
	s      *Service
	hook   Hook
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	// counting orders enqueues against the backlog's first count, so the
	// metric counts each queued delivery exactly once.
	counting sync.Mutex
}

func (s *Service) startWorker(h Hook) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{s: s, hook: h, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	s.wg.Go(func() {
		defer close(w.done)
		w.run(ctx)
	})
	return w
}

// stop ends the worker and waits for it; an attempt under way is cut off
// and stays queued.
func (w *worker) stop() {
	w.cancel()
	<-w.done
}

func (w *worker) enqueue(ctx context.Context, event string, body []byte) error {
	if err := validJSON(body); err != nil {
		return err
	}
	w.counting.Lock()
	_, err := w.s.opts.Store.EnqueueWebhook(ctx, store.WebhookDelivery{
		Webhook: w.hook.ID, Node: w.s.opts.Node, Event: event, Body: body})
	if err == nil {
		w.s.metrics.queued(w.hook.ID)
	}
	w.counting.Unlock()
	if err != nil {
		return err
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return nil
}

// run delivers the head of the queue until ctx ends. A store error is
// retried with backoff: nothing is lost, the queue just waits.
func (w *worker) run(ctx context.Context) {
	w.countBacklog(ctx)
	storeFails := 0
	for ctx.Err() == nil {
		d, err := w.s.opts.Store.NextWebhookDelivery(ctx, w.hook.ID, w.s.opts.Node)
		switch {
		case errors.Is(err, store.ErrNotFound):
			storeFails = 0
			w.wait(ctx, time.Hour)
		case err != nil:
			if ctx.Err() == nil {
				w.s.log.Warn("webhook queue: store unreachable", "webhook", w.hook.ID, "err", err)
			}
			w.wait(ctx, backoff.Policy{Min: time.Second, Max: time.Minute}.Wait(storeFails))
			storeFails++
		case time.Until(d.NextAt) > 0:
			storeFails = 0
			w.wait(ctx, time.Until(d.NextAt))
		default:
			storeFails = 0
			w.attempt(ctx, d)
		}
	}
}

// wait returns after d, when something is queued, or when ctx ends.
func (w *worker) wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-w.wake:
	case <-t.C:
	}
}

// attempt POSTs d once and stores the outcome: delivered, retry later,
// or failed once GiveUpAfter has passed since it was queued.
func (w *worker) attempt(ctx context.Context, d store.WebhookDelivery) {
	status, err := w.post(ctx, d)
	if ctx.Err() != nil {
		return // stopping: the attempt does not count, the delivery stays queued
	}
	now := time.Now()
	d.Attempts++
	d.LastStatus, d.LastError = status, ""
	switch {
	case err == nil:
		d.State, d.DoneAt = store.DeliveryDelivered, now
	case now.Sub(d.CreatedAt) >= w.s.opts.GiveUpAfter:
		d.State, d.DoneAt, d.LastError = store.DeliveryFailed, now, err.Error()
		w.s.log.Error("webhook delivery given up", "webhook", w.hook.ID, "delivery", d.ID, "attempts", d.Attempts, "err", err)
	default:
		d.NextAt, d.LastError = now.Add(w.s.opts.Retry.Wait(d.Attempts-1)), err.Error()
		w.s.log.Warn("webhook delivery failed, will retry", "webhook", w.hook.ID, "delivery", d.ID,
			"attempts", d.Attempts, "retry_in", time.Until(d.NextAt).Round(time.Millisecond), "err", err)
	}
	if err := w.s.opts.Store.UpdateWebhookDelivery(ctx, d); err != nil {
		// Delivered but not marked: it is sent again (at least once;
		// receivers dedupe on X-Vigil-Delivery).
		w.s.log.Warn("webhook delivery: cannot store the outcome", "webhook", w.hook.ID, "delivery", d.ID, "err", err)
		return
	}
	w.s.metrics.attempted(w.hook.ID, d.State)
}

// countBacklog starts the backlog metric from what the store holds (a
// previous run's queue); enqueues wait for it, then count up from it.
func (w *worker) countBacklog(ctx context.Context) {
	w.counting.Lock()
	defer w.counting.Unlock()
	n, err := w.s.opts.Store.WebhookBacklog(ctx, w.hook.ID, w.s.opts.Node)
	if err != nil {
		w.s.log.Warn("webhook backlog: cannot count the queue", "webhook", w.hook.ID, "err", err)
		return
	}
	w.s.metrics.setBacklog(w.hook.ID, n)
}

// maxAnswer bounds what is read of a receiver's answer (to reuse the
// connection); the answer itself is not kept.
const maxAnswer = 64 << 10

// post sends d and returns the receiver's status; err is nil for 2xx.
func (w *worker) post(ctx context.Context, d store.WebhookDelivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.hook.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, fmt.Errorf("request: %w", cleanErr(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil-webhook")
	req.Header.Set(SignatureHeader, Sign(w.hook.Secret, d.Body))
	req.Header.Set("X-Vigil-Delivery", strconv.FormatInt(d.ID, 10))
	req.Header.Set("X-Vigil-Event", d.Event)
	resp, err := w.s.client.Do(req)
	if err != nil {
		return 0, cleanErr(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// cleanErr drops the URL Go's client quotes in its errors: it may carry a
// token in its query, and the log and delivery log name the webhook by id.
func cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return errors.New(redact.Params(err.Error()))
}
