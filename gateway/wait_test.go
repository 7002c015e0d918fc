package gateway_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/internal/testwait"
)

func TestWaitTellsWhyTheGatewayStoppedServing(t *testing.T) {
	g, _ := startGateway(t, "")
	waited := make(chan error, 1)
	go func() { waited <- g.Wait() }()
	gateway.BreakListener(g)
	select {
	case err := <-waited:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Wait: %v, want the listener's error", err)
		}
	case <-time.After(testwait.Cap):
		t.Fatal("Wait did not return when the HTTP server failed")
	}
}

func TestWaitReturnsNilAfterClose(t *testing.T) {
	g, _ := startGateway(t, "")
	waited := make(chan error, 1)
	go func() { waited <- g.Wait() }()
	g.Close()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("Wait after Close: %v", err)
		}
	case <-time.After(testwait.Cap):
		t.Fatal("Wait did not return after Close")
	}
}
