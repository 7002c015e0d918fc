// Package browsertest drives a headless Chromium for tests of the console:
// navigation, forms, waiting, JavaScript, screenshots, the page's errors,
// and proof of WebRTC playback from the peer connections' statistics, which
// a probe script injected before the page's own scripts collects (probe.js),
// so the console ships no test hooks.
//
// Every call is bounded by a timeout. The browser runs with a fresh
// temporary profile and is killed, with its child processes, by Close (which
// New registers with t.Cleanup).
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is the browser the harness runs.
const ChromiumPath = "/usr/bin/chromium"

// DefaultTimeout bounds each call that takes no explicit timeout. It is
// the limit of a page that will never get there, not how long a page
// takes: on a busy 2-core machine under -race a console's first page
// takes tens of seconds, without anything being wrong.
const DefaultTimeout = 90 * time.Second

// startTimeout bounds the browser's start.
const startTimeout = 30 * time.Second

// Flags are the command-line switches besides the profile directory.
var Flags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--no-first-run", "--autoplay-policy=no-user-gesture-required",
}

// probeJS runs in every document before the page's scripts. It records in
// window.__browsertest what tests observe: peers (open RTCPeerConnections),
// socket (the last WebSocket), and the console's last tile and audio messages
// and its clip messages (see probe.js).
//
//go:embed probe.js
var probeJS string

// Browser is one headless Chromium with one tab.
type Browser struct {
	t       testing.TB
	ctx     context.Context // the tab; never carries a deadline
	cancel  func()
	mu      sync.Mutex
	msgs    []chromedp.ConsoleMessage
	closing sync.Once
}

// Available reports whether the browser is installed.
func Available() bool {
	_, err := exec.LookPath(ChromiumPath)
	return err == nil
}

// New starts Chromium with a 1440x900 window and an empty tab. Without
// Chromium the test is skipped, unless CI=true, where it fails.
func New(t testing.TB) *Browser {
	t.Helper()
	if !Available() {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browsertest: %s not found (CI=true)", ChromiumPath)
		}
		t.Skipf("browsertest: %s not found", ChromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.WindowSize(1440, 900),
		chromedp.WSURLReadTimeout(startTimeout),
	}
	for _, f := range Flags {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if hasValue {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	// No UserDataDir option: chromedp then makes a fresh temporary profile,
	// removes it at the end and kills any child process still using it.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, ctx: ctx}
	b.cancel = func() {
		cancelTab()
		cancelAlloc() // kills the browser and waits for it
	}
	t.Cleanup(b.Close)

	// The first use starts the browser; it must run on the tab's own context
	// (a deadline there would end the browser), so a timer bounds it.
	timer := time.AfterFunc(startTimeout, b.Close)
	messages := chromedp.Console(ctx)
	stopped := !timer.Stop()
	if err := b.Run(DefaultTimeout, addProbe, chromedp.Navigate("about:blank")); err != nil || stopped {
		b.Close()
		t.Fatalf("browsertest: start %s: %v", ChromiumPath, err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.msgs = append(b.msgs, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// addProbe has the tab run probe.js in each new document.
var addProbe = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: probeJS})
	return err
})

// Close kills the browser. It is safe to call more than once.
func (b *Browser) Close() {
	b.closing.Do(b.cancel)
}

// Console returns every console message, exception and browser log entry
// of the page so far.
func (b *Browser) Console() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.msgs...)
}

// Errors returns the page's errors: exceptions, console.error calls and
// error entries of the browser log (such as failed requests), except those
// for which ignore (may be nil) reports true.
func (b *Browser) Errors(ignore func(chromedp.ConsoleMessage) bool) []chromedp.ConsoleMessage {
	var out []chromedp.ConsoleMessage
	for _, m := range b.Console() {
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException && m.Type != "assert" {
			continue
		}
		if ignore == nil || !ignore(m) {
			out = append(out, m)
		}
	}
	return out
}

// Run runs actions on the tab, all within timeout.
func (b *Browser) Run(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	err := chromedp.Do(ctx, actions...)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %v: %w", timeout, err)
	}
	return err
}

// Get runs one action that returns a value, within timeout.
func Get[T any](b *Browser, timeout time.Duration, action chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %v: %w", timeout, err)
	}
	return v, err
}

// Eval evaluates a JavaScript expression, awaiting a promise, and decodes
// its (JSON) value as T.
func Eval[T any](b *Browser, expr string) (T, error) {
	return Get(b, DefaultTimeout, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// MustEval is Eval that fails the test on error.
func MustEval[T any](b *Browser, expr string) T {
	b.t.Helper()
	v, err := Eval[T](b, expr)
	b.must("eval "+expr, err)
	return v
}

func (b *Browser) must(what string, err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("browsertest: %s: %v", what, err)
	}
}

// Navigate opens url and waits for the document to load.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.must("navigate "+url, b.Run(DefaultTimeout, chromedp.Navigate(url)))
}

// WaitVisible waits until the CSS selector matches a visible element.
func (b *Browser) WaitVisible(selector string, timeout time.Duration) {
	b.t.Helper()
	b.must("wait visible "+selector, b.Visible(selector, timeout))
}

// Visible is WaitVisible that returns the error instead of failing the test.
func (b *Browser) Visible(selector string, timeout time.Duration) error {
	return b.Run(timeout, chromedp.WaitVisible(chromedp.CSS(selector)))
}

// Hover moves the mouse over the centre of the element matched by the CSS
// selector.
func (b *Browser) Hover(selector string) {
	b.t.Helper()
	q, _ := json.Marshal(selector)
	box, err := Eval[[]float64](b, fmt.Sprintf(`(() => { const r = document.querySelector(%s).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, q))
	b.must("hover "+selector, err)
	b.must("hover "+selector, b.Run(DefaultTimeout, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box[0], box[1])))
}

// Viewport sets the page's size in CSS pixels (device scale 1).
func (b *Browser) Viewport(width, height int64) {
	b.t.Helper()
	b.must("viewport", b.Run(DefaultTimeout, chromedp.EmulateViewport(width, height)))
}

// WaitFor waits until the JavaScript expression is truthy, polling every 50 ms.
func (b *Browser) WaitFor(expr string, timeout time.Duration) {
	b.t.Helper()
	b.must("wait for "+expr, b.Run(timeout, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout))))
}

// Fill replaces the value of the input matched by the CSS selector, typing it.
func (b *Browser) Fill(selector, value string) {
	b.t.Helper()
	sel := chromedp.CSS(selector)
	q, _ := json.Marshal(selector)
	clear := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = ''; e.dispatchEvent(new Event('input', { bubbles: true })); e.focus(); return true; })()`, q))(ctx, t)
		return err
	})
	b.must("fill "+selector, b.Run(DefaultTimeout, chromedp.WaitVisible(sel), clear, chromedp.SendKeys(sel, value)))
}

// Click clicks the visible element matched by the CSS selector.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	b.must("click "+selector, b.Run(DefaultTimeout, chromedp.Click(chromedp.CSS(selector))))
}

// Text returns the text content of the element matched by the CSS selector.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	s, err := Get(b, DefaultTimeout, chromedp.TextContent(chromedp.CSS(selector)))
	b.must("text "+selector, err)
	return s
}

// Screenshot writes a PNG of the viewport to path.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png, err := Get(b, DefaultTimeout, chromedp.CaptureScreenshot())
	b.must("screenshot", err)
	b.must("write screenshot", os.WriteFile(path, png, 0o644))
}

// Reload reloads the page and waits for it to load.
func (b *Browser) Reload() {
	b.t.Helper()
	b.must("reload", b.Run(DefaultTimeout, chromedp.Reload()))
}

// Exec runs a JavaScript statement, ignoring its value.
func (b *Browser) Exec(script string) {
	b.t.Helper()
	_, err := Eval[bool](b, "(() => { "+script+"; return true; })()")
	b.must("exec "+script, err)
}
