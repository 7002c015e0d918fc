package ratelimit

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	b := Bucket{Rate: 50, Burst: 100}
	now := time.Now()
	for i := 0; i < 100; i++ {
		if !b.Take(now) {
			t.Fatalf("message %d of a burst refused", i)
		}
	}
	if b.Take(now) {
		t.Fatal("101st message of a burst accepted")
	}
	now = now.Add(100 * time.Millisecond) // 5 more
	for i := 0; i < 5; i++ {
		if !b.Take(now) {
			t.Fatalf("refilled message %d refused", i)
		}
	}
	if b.Take(now) {
		t.Fatal("more than the rate accepted")
	}
}
