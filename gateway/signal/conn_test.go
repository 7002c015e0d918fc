package signal

import (
	"context"
	"log/slog"
	"testing"
)

func TestSlowConsoleIsDropped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{ctx: ctx, cancel: cancel, out: make(chan []byte, 2), log: slog.Default()}
	for i := 0; i < 2; i++ {
		c.send(errorMsg{Type: "error", Message: "x"})
	}
	if ctx.Err() != nil {
		t.Fatal("dropped with room in the queue")
	}
	c.send(errorMsg{Type: "error", Message: "one too many"}) // must not block
	if ctx.Err() == nil || c.closeCode != CloseTooSlow {
		t.Fatalf("overflow: ctx %v, close code %d", ctx.Err(), c.closeCode)
	}
	c.send(errorMsg{Type: "error", Message: "after"}) // closed: dropped quietly
	if c.closeCode != CloseTooSlow {
		t.Fatalf("close code changed to %d", c.closeCode)
	}
}

func TestTooManyErrorsEndTheConnection(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{ctx: ctx, cancel: cancel, out: make(chan []byte, 100), log: slog.Default()}
	for i := 0; i < maxErrors; i++ {
		c.reject("bad")
	}
	if ctx.Err() != nil {
		t.Fatalf("closed after %d errors", maxErrors)
	}
	c.reject("bad")
	if c.closeCode != CloseTooMany {
		t.Fatalf("close code %d, want %d", c.closeCode, CloseTooMany)
	}
}
