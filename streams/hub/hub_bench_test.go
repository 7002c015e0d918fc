package hub

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"vigil/streams/media"
)

// BenchmarkPublish measures fan-out of one access unit to N readers that
// keep up. Reported allocations are per published unit; allocs/delivery
// counts every goroutine's allocations (the readers' too) per unit handed
// to one reader, the hub's share of each forwarded packet.
func BenchmarkPublish(b *testing.B) {
	for _, readers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			h := New(Options{QueueFrames: 1 << 12})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			var delivered atomic.Int64
			for i := 0; i < readers; i++ {
				r := h.NewReader()
				go func() {
					defer func() { done <- struct{}{} }()
					for {
						d, err := r.Read(ctx)
						if err != nil {
							return
						}
						delivered.Add(int64(len(d.Units)))
					}
				}()
				defer r.Close()
			}
			au := &media.AccessUnit{NALUs: [][]byte{make([]byte, 5000)}, Received: time.Now()}
			key := &media.AccessUnit{NALUs: [][]byte{make([]byte, 50000)}, Received: time.Now(), Key: true}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mallocs := ms.Mallocs
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%50 == 0 {
					h.Publish(key)
				} else {
					h.Publish(au)
				}
			}
			// Let the readers drain what is queued before counting.
			for want := int64(b.N * readers); delivered.Load() < want && h.Stats().ReaderSkips == 0; {
				runtime.Gosched()
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			cancel()
			for i := 0; i < readers; i++ {
				<-done
			}
			n := float64(delivered.Load())
			b.ReportMetric(float64(ms.Mallocs-mallocs)/n, "allocs/delivery")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/delivery")
			b.ReportMetric(float64(h.Stats().ReaderSkips), "skips")
		})
	}
}
