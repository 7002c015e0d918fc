package transcode

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"sync"
	"time"
)

// Bounds on one ffmpeg process.
const (
	// waitDelay bounds how long Wait waits for the pipes after the kill.
	waitDelay = 2 * time.Second
	// stderr lines kept for the log when ffmpeg exits.
	tailLines, tailLineBytes = 8, 512
)

// runFFmpeg runs one ffmpeg process: the feed goroutine writes its stdin,
// this goroutine reads its stdout, exec's goroutine keeps the tail of its
// stderr. Whichever side ends first cancels the other; the process is
// killed through its context and always reaped by Wait.
func (t *Transcoder) runFFmpeg(ctx context.Context, bin string, args []string, in *input, first []frame) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stderr := newTail(tailLines, tailLineBytes)
	cmd := exec.CommandContext(sctx, bin, args...)
	cmd.Stderr = stderr
	cmd.WaitDelay = waitDelay
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("%w: %v", errNeedsFFmpeg, err)
		}
		return err
	}
	t.setPID(cmd.Process.Pid)
	defer t.setPID(0)
	t.log.Debug("ffmpeg started", "pid", cmd.Process.Pid, "args", args)

	dog := &watchdog{timeout: t.opts.stallTimeout}
	var wg sync.WaitGroup
	wg.Go(func() {
		cancel(in.feed(sctx, stdin, first, dog))
		stdin.Close() // ffmpeg sees EOF if it is still alive
	})
	wg.Go(func() { dog.watch(sctx, cancel) })

	out := &sessionOutput{p: t.pub, clock: in.clock, dog: dog}
	readErr := out.read(stdout, t.opts.Kind, func(err error) { t.log.Debug("ffmpeg output", "err", err) })
	cancel(fmt.Errorf("ffmpeg output ended: %w", readErr))
	wg.Wait()
	waitErr := cmd.Wait()
	cause := context.Cause(sctx)

	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(cause, errInputChanged):
		return cause
	}
	t.log.Warn("ffmpeg exited", "pid", cmd.Process.Pid, "exit", waitErr, "stderr", stderr.String())
	return fmt.Errorf("%v (%v)", cause, waitErr)
}
