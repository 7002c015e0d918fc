package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"vigil/gateway"
)

// newLogger is the process's logger: text for people, JSON (one object a
// line) for log collectors.
func newLogger(format string, debug bool, w io.Writer) (*slog.Logger, error) {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	ho := &slog.HandlerOptions{Level: level}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, ho)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, ho)), nil
	}
	return nil, fmt.Errorf("-log-format %q: must be text or json", format)
}

// closeShare is the part of the grace kept for Close after the drain: the
// HTTP server, consoles, recorders and the store must still stop in time.
const closeShare = 4

// shutdown drains g, then closes it, all within grace. A gateway that has
// not closed when grace is over is left to the process's exit, which the
// error reports (non-zero exit: the supervisor should know).
func shutdown(g *gateway.Gateway, grace time.Duration, log *slog.Logger) error {
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	drainCtx, cancelDrain := context.WithTimeout(ctx, grace-grace/closeShare)
	g.Drain(drainCtx, "signal")
	cancelDrain()
	closed := make(chan error, 1)
	go func() { closed <- g.Close() }() // ends with Close; the process exits after it at the latest
	select {
	case err := <-closed:
		log.Info("stopped", "took", time.Since(began).Round(time.Millisecond))
		return err
	case <-ctx.Done():
		return fmt.Errorf("not stopped within the grace of %v: exiting anyway", grace)
	}
}
