package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The states of a webhook delivery.
const (
	DeliveryPending   = "pending"   // queued, not yet accepted by the receiver
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // given up after the retry window
)

// WebhookDelivery is one POST to one webhook: queued until the receiver
// accepts it, then kept as the delivery log.
type WebhookDelivery struct {
	ID         int64 // grows with each delivery queued: the order per webhook
	Webhook    string
	Node       string
	Event      string
	Body       []byte
	State      string
	CreatedAt  time.Time
	NextAt     time.Time // when the next attempt is due
	Attempts   int
	LastStatus int    // HTTP status of the last attempt; 0: no answer
	LastError  string // why the last attempt failed
	DoneAt     time.Time
}

const deliveryColumns = `id, webhook, node, event, body, state, created_at, next_at, attempts, last_status, last_error, done_at`

// EnqueueWebhook queues d (state pending, due at once unless NextAt is
// set) and returns it with its ID.
func (s *Store) EnqueueWebhook(ctx context.Context, d WebhookDelivery) (WebhookDelivery, error) {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now()
	}
	d.CreatedAt = fromMillis(toMillis(d.CreatedAt))
	if d.NextAt.IsZero() {
		d.NextAt = d.CreatedAt
	}
	d.State = DeliveryPending
	err := s.db.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (webhook, node, event, body, state, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.Webhook, d.Node, d.Event, string(d.Body), d.State, toMillis(d.CreatedAt), toMillis(d.NextAt)).Scan(&d.ID)
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("enqueue webhook %s: %w", d.Webhook, err)
	}
	return d, nil
}

// NextWebhookDelivery returns the head of a webhook's queue on node: its
// oldest pending delivery; ErrNotFound when the queue is empty.
func (s *Store) NextWebhookDelivery(ctx context.Context, webhook, node string) (WebhookDelivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook = ? AND node = ? AND state = ? ORDER BY id LIMIT 1`, webhook, node, DeliveryPending))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("next delivery of %s: %w", webhook, err)
	}
	return d, nil
}

// UpdateWebhookDelivery stores an attempt's outcome: state, next_at,
// attempts, last status and error, done_at.
func (s *Store) UpdateWebhookDelivery(ctx context.Context, d WebhookDelivery) error {
	res, err := s.db.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, next_at = ?, attempts = ?,
		last_status = ?, last_error = ?, done_at = ? WHERE id = ?`,
		d.State, toMillis(d.NextAt), d.Attempts, d.LastStatus, d.LastError, toMillis(d.DoneAt), d.ID)
	return checkAffected(res, err, fmt.Sprintf("update delivery %d", d.ID))
}

// WebhookDeliveries returns the newest deliveries first, of one webhook or
// of all ("") and in one state or all (""), at most limit.
func (s *Store) WebhookDeliveries(ctx context.Context, webhook, state string, limit int) ([]WebhookDelivery, error) {
	return queryAll(ctx, s, "list webhook deliveries", scanDelivery, `SELECT `+deliveryColumns+`
		FROM webhook_deliveries WHERE (? = '' OR webhook = ?) AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?`,
		webhook, webhook, state, state, limit)
}

// WebhookBacklog counts the pending deliveries of a webhook on node.
func (s *Store) WebhookBacklog(ctx context.Context, webhook, node string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE webhook = ? AND node = ? AND state = ?`,
		webhook, node, DeliveryPending).Scan(&n)
	return n, wrap(err, "webhook backlog of %s", webhook)
}

// PruneWebhookDeliveries deletes the log of deliveries finished before t;
// pending ones stay whatever their age.
func (s *Store) PruneWebhookDeliveries(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE state <> ? AND done_at < ?`,
		DeliveryPending, toMillis(before))
	if err != nil {
		return 0, fmt.Errorf("prune webhook deliveries: %w", err)
	}
	return res.RowsAffected()
}

func scanDelivery(r scanner) (WebhookDelivery, error) {
	var d WebhookDelivery
	var body string
	var created, next, done int64
	err := r.Scan(&d.ID, &d.Webhook, &d.Node, &d.Event, &body, &d.State, &created, &next, &d.Attempts,
		&d.LastStatus, &d.LastError, &done)
	d.Body, d.CreatedAt, d.NextAt, d.DoneAt = []byte(body), fromMillis(created), fromMillis(next), fromMillis(done)
	return d, err
}
