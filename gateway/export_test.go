package gateway

import (
	"time"

	"vigil/gateway/store"
)

// SetConsoleRecheck shortens the console session re-check for tests.
func SetConsoleRecheck(d time.Duration) (restore func()) {
	old := consoleRecheck
	consoleRecheck = d
	return func() { consoleRecheck = old }
}

// Store returns the gateway's database, for tests that set up users and
// sessions directly.
func (g *Gateway) Store() *store.Store { return g.services.store }
