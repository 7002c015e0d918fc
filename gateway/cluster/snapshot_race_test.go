package cluster

import (
	"context"
	"sync"
	"testing"
	"time"

	"vigil/gateway/store"
)

// Snapshot is read by other goroutines (the API, the alarm detector) while
// the member's loop takes leases: under -race this test fails if the
// snapshot shares the loop's map.
func TestSnapshotWhileTakingLeases(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() *store.Store) {
		ttl := 800 * time.Millisecond
		o1, o2 := newOwner(), newOwner()
		m1, err := Join(context.Background(), o1.options(open(), "bjx-1", ttl))
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Join(context.Background(), o2.options(open(), "bjx-2", ttl))
		if err != nil {
			t.Fatal(err)
		}
		defer m2.Close()
		stop := make(chan struct{})
		var readers sync.WaitGroup
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_ = m2.Snapshot()
				}
			}
		})
		waitFor(t, "the preferred node owns both cameras", func() bool { return o1.count() == 2 })
		m1.stop() // dies: the standby takes both leases while the snapshot is read
		waitFor(t, "the standby owns both cameras", func() bool { return o2.count() == 2 })
		close(stop)
		readers.Wait()
	})
}
