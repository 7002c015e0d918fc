package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
	"vigil/internal/ids"
)

// Bounds of a bookmark. A lock keeps its range from retention, so one
// bookmark may not cover more than a day: a week-long lock by mistake
// would fill the disk.
const (
	maxBookmarkTitle = 200  // characters
	maxBookmarkNote  = 2000 // characters
	maxBookmarkRange = 24 * time.Hour
	// bookmarkSkew is how far in the future a bookmark may start: clocks
	// of console and gateway differ a little.
	bookmarkSkew = time.Minute
)

// errForbidden marks a change the user's role does not allow (403).
var errForbidden = errors.New("forbidden")

// bookmarkRequestJSON is the body of POST /api/bookmarks; to may be left
// out for a point.
type bookmarkRequestJSON struct {
	Camera string `json:"camera"`
	From   string `json:"from"`
	To     string `json:"to"`
	Title  string `json:"title"`
	Note   string `json:"note"`
	Lock   bool   `json:"lock"`
}

// bookmarkChange is the body of PUT /api/bookmarks/{id}: the fields
// given change, the others stay. Camera and range never change.
type bookmarkChange struct {
	Title *string `json:"title"`
	Note  *string `json:"note"`
	Lock  *bool   `json:"lock"`
}

func readNewBookmark(w http.ResponseWriter, r *http.Request, now time.Time) (store.Bookmark, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return store.Bookmark{}, fmt.Errorf("request body larger than %d bytes", maxJSONBody)
	}
	if err != nil {
		return store.Bookmark{}, errors.New("could not read the request body")
	}
	return parseNewBookmark(b, now)
}

// parseNewBookmark decodes and checks a new bookmark strictly: one JSON
// object without unknown fields, a valid camera id, RFC 3339 times with
// from ≤ to, at most a day long, not in the future, a title.
func parseNewBookmark(data []byte, now time.Time) (store.Bookmark, error) {
	var body bookmarkRequestJSON
	if err := decodeStrict(bytes.NewReader(data), &body); err != nil {
		return store.Bookmark{}, err
	}
	if !ids.Valid(body.Camera) {
		return store.Bookmark{}, errors.New("camera is required (a camera id)")
	}
	b := store.Bookmark{Camera: body.Camera, Title: strings.TrimSpace(body.Title), Note: body.Note, Locked: body.Lock}
	var err error
	if b.From, err = parseTime("from", body.From); err != nil {
		return store.Bookmark{}, err
	}
	b.To = b.From
	if body.To != "" {
		if b.To, err = parseTime("to", body.To); err != nil {
			return store.Bookmark{}, err
		}
	}
	if err := checkBookmarkRange(b.From, b.To, now); err != nil {
		return store.Bookmark{}, err
	}
	return b, checkBookmarkText(b.Title, b.Note)
}

func checkBookmarkRange(from, to, now time.Time) error {
	switch {
	case to.Before(from):
		return errors.New("to is before from")
	case to.Sub(from) > maxBookmarkRange:
		return fmt.Errorf("a bookmark covers at most %s", maxBookmarkRange)
	case from.After(now.Add(bookmarkSkew)):
		return errors.New("from is in the future")
	case from.Year() < 2000:
		return errors.New("from is before the year 2000")
	}
	return nil
}

func checkBookmarkText(title, note string) error {
	switch {
	case title == "":
		return errors.New("title is required")
	case !utf8.ValidString(title) || !utf8.ValidString(note):
		return errors.New("title and note must be UTF-8 text")
	case utf8.RuneCountInString(title) > maxBookmarkTitle:
		return fmt.Errorf("title is longer than %d characters", maxBookmarkTitle)
	case utf8.RuneCountInString(note) > maxBookmarkNote:
		return fmt.Errorf("note is longer than %d characters", maxBookmarkNote)
	}
	return nil
}

// apply returns b changed by ch as u may change it: title and note by its
// creator or an operator and up, a lock by an operator and up, an unlock
// by an admin only (errForbidden otherwise).
func (ch bookmarkChange) apply(b store.Bookmark, u auth.User, now time.Time) (store.Bookmark, error) {
	if ch.Title != nil || ch.Note != nil {
		if b.CreatedBy != u.Name && !authz.Allowed(u, authz.ActionLockEvidence) {
			return b, fmt.Errorf("%w: only its author or an operator edits a bookmark", errForbidden)
		}
		if ch.Title != nil {
			b.Title = strings.TrimSpace(*ch.Title)
		}
		if ch.Note != nil {
			b.Note = *ch.Note
		}
		if err := checkBookmarkText(b.Title, b.Note); err != nil {
			return b, err
		}
	}
	switch {
	case ch.Lock == nil || *ch.Lock == b.Locked:
	case *ch.Lock && !authz.Allowed(u, authz.ActionLockEvidence):
		return b, fmt.Errorf("%w: locking evidence needs an operator or an admin", errForbidden)
	case !*ch.Lock && !authz.Allowed(u, authz.ActionUnlockEvidence):
		return b, fmt.Errorf("%w: only an admin unlocks evidence", errForbidden)
	case *ch.Lock:
		b.Locked, b.LockedBy, b.LockedAt = true, u.Name, now
	default:
		b.Locked = false
	}
	return b, nil
}

func changeStatus(err error) int {
	if errors.Is(err, errForbidden) {
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// mayDelete: a locked bookmark only by an admin, another's by an operator
// and up, one's own always.
func mayDelete(b store.Bookmark, u auth.User) error {
	switch {
	case b.Locked && !authz.Allowed(u, authz.ActionUnlockEvidence):
		return errors.New("the bookmark locks evidence: only an admin deletes it")
	case b.CreatedBy != u.Name && !authz.Allowed(u, authz.ActionLockEvidence):
		return errors.New("only its author or an operator deletes a bookmark")
	}
	return nil
}

// parseBookmarkQuery reads GET /api/bookmarks?camera=&from=&to=.
func parseBookmarkQuery(v url.Values) (store.BookmarkQuery, error) {
	q := store.BookmarkQuery{Camera: v.Get("camera")}
	if q.Camera != "" && !ids.Valid(q.Camera) {
		return q, errors.New("camera is not a camera id")
	}
	var err error
	if q.From, err = parseTimeParam(v, "from"); err != nil {
		return q, err
	}
	if q.To, err = parseTimeParam(v, "to"); err != nil {
		return q, err
	}
	if !q.To.IsZero() && q.To.Before(q.From) {
		return q, errors.New("to is before from")
	}
	return q, nil
}
