package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWebhookQueue checks the queue's order per webhook and node, that a
// finished delivery leaves the queue for the log, and that the queue
// survives a reopen.
func TestWebhookQueue(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		var ids []int64
		for _, hook := range []string{"city", "city", "ops", "city"} {
			d, err := s.EnqueueWebhook(ctx, WebhookDelivery{Webhook: hook, Node: "n1", Event: "alarm.raised", Body: []byte(`{"n":1}`)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		if _, err := s.EnqueueWebhook(ctx, WebhookDelivery{Webhook: "city", Node: "n2", Event: "x", Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		head, err := s.NextWebhookDelivery(ctx, "city", "n1")
		if err != nil || head.ID != ids[0] || string(head.Body) != `{"n":1}` || head.State != DeliveryPending {
			t.Fatalf("head = %+v, %v", head, err)
		}
		head.State, head.Attempts, head.LastStatus, head.DoneAt = DeliveryDelivered, 2, 204, time.Now()
		if err := s.UpdateWebhookDelivery(ctx, head); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if s, err = reopen(path); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if head, err = s.NextWebhookDelivery(ctx, "city", "n1"); err != nil || head.ID != ids[1] {
			t.Fatalf("head after delivery and reopen = %+v, %v", head, err)
		}
		if n, err := s.WebhookBacklog(ctx, "city", "n1"); err != nil || n != 2 {
			t.Fatalf("backlog = %d, %v", n, err)
		}
		log, err := s.WebhookDeliveries(ctx, "city", DeliveryDelivered, 10)
		if err != nil || len(log) != 1 || log[0].ID != ids[0] || log[0].Attempts != 2 || log[0].LastStatus != 204 {
			t.Fatalf("log = %+v, %v", log, err)
		}
		if all, err := s.WebhookDeliveries(ctx, "", "", 100); err != nil || len(all) != 5 || all[0].ID < all[4].ID {
			t.Fatalf("all = %d, %v", len(all), err)
		}
		if n, err := s.PruneWebhookDeliveries(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("pruned %d, %v", n, err)
		}
		if _, err := s.NextWebhookDelivery(ctx, "none", "n1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("empty queue: %v", err)
		}
	})
}
