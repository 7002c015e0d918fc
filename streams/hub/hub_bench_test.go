package hub

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vigil/streams/media"
)

// BenchmarkPublish measures fan-out of one access unit to N readers that
// keep up. Reported allocations are per published unit.
func BenchmarkPublish(b *testing.B) {
	for _, readers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			h := New(Options{QueueFrames: 1 << 12})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan struct{})
			for i := 0; i < readers; i++ {
				r := h.NewReader()
				go func() {
					defer func() { done <- struct{}{} }()
					for {
						if _, err := r.Read(ctx); err != nil {
							return
						}
					}
				}()
				defer r.Close()
			}
			au := &media.AccessUnit{NALUs: [][]byte{make([]byte, 5000)}, Received: time.Now()}
			key := &media.AccessUnit{NALUs: [][]byte{make([]byte, 50000)}, Received: time.Now(), Key: true}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%50 == 0 {
					h.Publish(key)
				} else {
					h.Publish(au)
				}
			}
			b.StopTimer()
			cancel()
			for i := 0; i < readers; i++ {
				<-done
			}
		})
	}
}
