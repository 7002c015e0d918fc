package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Bookmark marks a point (From == To) or a range of a camera's recording
// with a title and a note. A locked bookmark is evidence: retention keeps
// every segment that overlaps its range.
type Bookmark struct {
	ID        string
	Camera    string
	Station   string
	From, To  time.Time
	Title     string
	Note      string
	Locked    bool
	CreatedBy string
	CreatedAt time.Time
	LockedBy  string    // who locked it last; kept after an unlock
	LockedAt  time.Time // when it was locked last
}

// BookmarkQuery selects bookmarks: of one camera ("" every camera), that
// overlap [From, To] (zero times leave that end open), only locked ones.
type BookmarkQuery struct {
	Camera     string
	From, To   time.Time
	LockedOnly bool
	Limit      int // 0: 1000
}

const bookmarkColumns = `id, camera, station, from_time, to_time, title, note, locked, created_by, created_at, locked_by, locked_at`

// CreateBookmark stores a new bookmark with a fresh ID and CreatedAt now
// (LockedAt now too when it is created locked); it returns the stored one.
func (s *Store) CreateBookmark(ctx context.Context, b Bookmark) (Bookmark, error) {
	b.ID = newID()
	b.CreatedAt = fromMillis(toMillis(time.Now()))
	if b.Locked {
		b.LockedBy, b.LockedAt = b.CreatedBy, b.CreatedAt
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO bookmarks (`+bookmarkColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.Camera, b.Station, toMillis(b.From), toMillis(b.To), b.Title, b.Note, boolInt(b.Locked),
		b.CreatedBy, toMillis(b.CreatedAt), b.LockedBy, toMillis(b.LockedAt))
	if err != nil {
		return Bookmark{}, fmt.Errorf("create bookmark: %w", err)
	}
	return b, nil
}

// UpdateBookmark replaces title, note, locked, locked_by and locked_at of
// bookmark b.ID (camera, range and creator stay); ErrNotFound when it does
// not exist.
func (s *Store) UpdateBookmark(ctx context.Context, b Bookmark) (Bookmark, error) {
	res, err := s.db.ExecContext(ctx,
		`UPDATE bookmarks SET title = ?, note = ?, locked = ?, locked_by = ?, locked_at = ? WHERE id = ?`,
		b.Title, b.Note, boolInt(b.Locked), b.LockedBy, toMillis(b.LockedAt), b.ID)
	if err := checkAffected(res, err, "bookmark "+b.ID); err != nil {
		return Bookmark{}, fmt.Errorf("update bookmark: %w", err)
	}
	return s.GetBookmark(ctx, b.ID)
}

// GetBookmark returns one bookmark; ErrNotFound when there is none.
func (s *Store) GetBookmark(ctx context.Context, id string) (Bookmark, error) {
	b, err := scanBookmark(s.db.QueryRowContext(ctx, `SELECT `+bookmarkColumns+` FROM bookmarks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Bookmark{}, fmt.Errorf("bookmark %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Bookmark{}, fmt.Errorf("get bookmark %q: %w", id, err)
	}
	return b, nil
}

// ListBookmarks returns the bookmarks q selects, by start time.
func (s *Store) ListBookmarks(ctx context.Context, q BookmarkQuery) ([]Bookmark, error) {
	to := int64(1<<63 - 1)
	if !q.To.IsZero() {
		to = toMillis(q.To)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	return queryAll(ctx, s, "list bookmarks", scanBookmark, `SELECT `+bookmarkColumns+` FROM bookmarks
		WHERE (? = '' OR camera = ?) AND to_time >= ? AND from_time <= ? AND (? = 0 OR locked = 1)
		ORDER BY from_time, id LIMIT ?`,
		q.Camera, q.Camera, toMillis(q.From), to, boolInt(q.LockedOnly), limit)
}

// DeleteBookmark removes a bookmark; ErrNotFound when there is none.
func (s *Store) DeleteBookmark(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM bookmarks WHERE id = ?`, id)
	return wrap(checkAffected(res, err, "bookmark "+id), "delete bookmark")
}

func scanBookmark(r scanner) (Bookmark, error) {
	var (
		b                           Bookmark
		from, to, created, lockedAt int64
		locked                      int
	)
	if err := r.Scan(&b.ID, &b.Camera, &b.Station, &from, &to, &b.Title, &b.Note, &locked,
		&b.CreatedBy, &created, &b.LockedBy, &lockedAt); err != nil {
		return Bookmark{}, err
	}
	b.From, b.To, b.CreatedAt, b.LockedAt = fromMillis(from), fromMillis(to), fromMillis(created), fromMillis(lockedAt)
	b.Locked = locked != 0
	return b, nil
}
