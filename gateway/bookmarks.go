package gateway

import (
	"context"
	"time"

	"vigil/gateway/store"
	"vigil/streams/segstore"
)

// lockQueryTimeout bounds the retention pass's read of the evidence locks.
const lockQueryTimeout = 10 * time.Second

// lockedBookmarks lists every locked bookmark; *store.Store implements it.
type lockedBookmarks interface {
	ListBookmarks(ctx context.Context, q store.BookmarkQuery) ([]store.Bookmark, error)
}

// evidenceLocks reads the locked bookmarks' ranges, per camera: what
// retention must keep. The store is shared by a cluster's nodes, so every
// node keeps what any node locked.
func evidenceLocks(st lockedBookmarks) func() (segstore.Locks, error) {
	return func() (segstore.Locks, error) {
		ctx, cancel := context.WithTimeout(context.Background(), lockQueryTimeout)
		defer cancel()
		list, err := st.ListBookmarks(ctx, store.BookmarkQuery{LockedOnly: true, Limit: 1 << 30})
		if err != nil {
			return nil, err
		}
		locks := segstore.Locks{}
		for _, b := range list {
			locks[b.Camera] = append(locks[b.Camera], segstore.Span{Start: b.From, End: b.To})
		}
		return locks, nil
	}
}

// lockedUsage answers how many bytes of this node's recordings the
// evidence locks hold, per camera (api.Options.LockedUsage).
func lockedUsage(st lockedBookmarks, idx *segstore.Index) func(context.Context) (map[string]int64, error) {
	locks := evidenceLocks(st)
	return func(context.Context) (map[string]int64, error) {
		l, err := locks()
		if err != nil {
			return nil, err
		}
		return idx.LockedUsage(l), nil
	}
}
