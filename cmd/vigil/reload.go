package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"vigil/gateway"
)

// reloadTimeout bounds one reload: cameras are started, not waited for.
const reloadTimeout = 30 * time.Second

// reloadOnHangup reloads g's config on every SIGHUP until the returned
// stop is called. The gateway logs and audits each outcome; a refused
// config leaves the running one in place.
func reloadOnHangup(g *gateway.Gateway, log *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-hup:
				ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
				if _, err := g.Reload(ctx, ""); err != nil {
					log.Warn("SIGHUP: config not reloaded", "err", err)
				}
				cancel()
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
		<-finished
	}
}
