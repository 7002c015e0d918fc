package transcode

import (
	"context"
	"errors"
	"time"

	"vigil/streams/backoff"
	"vigil/streams/hub"
)

// Restart backoff after ffmpeg fails: doubling from 250 ms to 5 s. A
// process that ran for healthyRun before failing starts the count over.
var restartBackoff = backoff.Policy{Min: 250 * time.Millisecond, Max: 5 * time.Second}

const healthyRun = 30 * time.Second

// Why a session ended, besides ffmpeg failing.
var (
	errNeedsFFmpeg  = errors.New("ffmpeg binary not found")
	errInputChanged = errors.New("input changed")
	errConfig       = errors.New("bad transcoder options")
	errStalled      = errors.New("ffmpeg stalled: input goes in, nothing comes out")
)

// supervisor is the running half of a Transcoder while it has viewers.
type supervisor struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func (t *Transcoder) startSupervisor() *supervisor {
	ctx, cancel := context.WithCancel(t.ctx)
	s := &supervisor{cancel: cancel, done: make(chan struct{})}
	t.setPhase(PhaseStarting, "")
	go func() {
		defer close(s.done)
		t.supervise(ctx)
	}()
	return s
}

// stop ends the supervisor and waits until ffmpeg has been reaped.
func (s *supervisor) stop() {
	s.cancel()
	<-s.done
}

// supervise runs ffmpeg sessions one after another until ctx ends: at once
// when the input changed, after a backoff when ffmpeg failed.
func (t *Transcoder) supervise(ctx context.Context) {
	failures := 0
	for {
		began := time.Now()
		err := t.runSession(ctx)
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		switch {
		case errors.Is(err, errInputChanged):
			t.log.Info("restarting ffmpeg for the new input", "why", err)
		case errors.Is(err, errNeedsFFmpeg):
			if t.State().Phase != PhaseNeedsFFmpeg { // retried every few seconds: say it once
				t.log.Error("cannot transcode: ffmpeg is not installed", "err", err)
			}
			t.fail(PhaseNeedsFFmpeg, ReasonNeedsFFmpeg, "ffmpeg is not installed on the gateway", err)
			wait = restartBackoff.Max
		case errors.Is(err, errConfig):
			if t.State().Phase != PhaseFailed {
				t.log.Error("cannot transcode", "err", err)
			}
			t.fail(PhaseFailed, ReasonFailed, "the transcoder is misconfigured", err)
			wait = restartBackoff.Max
		default:
			if time.Since(began) > healthyRun {
				failures = 0
			}
			wait = restartBackoff.Wait(failures)
			failures++
			t.addRestart()
			t.log.Warn("ffmpeg failed; restarting", "err", err, "in", wait)
			t.fail(PhaseRestarting, ReasonRestarting, "the transcoder is restarting", err)
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// fail reports a transcoder problem on the output hub and in the state.
func (t *Transcoder) fail(p Phase, reason, message string, err error) {
	t.setPhase(p, err.Error())
	t.pub.reset()
	t.out.SetStatus(hub.Status{State: hub.StateOffline, Reason: reason, Message: message, Detail: err.Error()})
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}
