package browsertest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// Drag drags the element matched by the from selector onto the one matched
// by to with the mouse, as HTML5 drag and drop: the page sees dragstart on
// the source and dragenter, dragover and drop on the target, with the data
// its dragstart handler set. Chromium's drag is intercepted through the
// DevTools protocol (headless has no OS drag loop) and replayed on the
// target.
func (b *Browser) Drag(from, to string) {
	b.t.Helper()
	fx, fy := b.center(from)
	tx, ty := b.center(to)
	drag := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, input.SetInterceptDrags, input.SetInterceptDragsParams{Enabled: true}); err != nil {
			return err
		}
		defer cdp.Call(ctx, t, input.SetInterceptDrags, input.SetInterceptDragsParams{Enabled: false})
		start := chromedp.Steps(
			chromedp.MouseEvent(chromedp.MouseMoved, fx, fy),
			chromedp.MouseEvent(chromedp.MousePressed, fx, fy, chromedp.ButtonLeft, chromedp.ClickCount(1)),
			chromedp.MouseEvent(chromedp.MouseMoved, fx+8, fy+8, chromedp.ButtonLeft),
			chromedp.MouseEvent(chromedp.MouseMoved, tx, ty, chromedp.ButtonLeft),
		)
		ev, err := chromedp.WaitEvent(input.DragIntercepted, nil, start)(ctx, t)
		if err != nil {
			return fmt.Errorf("no drag started: %w", err)
		}
		for _, typ := range []input.DispatchDragEventType{
			input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop,
		} {
			p := input.DispatchDragEventParams{Type: typ, X: tx, Y: ty, Data: ev.Data}
			if _, err := cdp.Call(ctx, t, input.DispatchDragEvent, p); err != nil {
				return fmt.Errorf("%s: %w", typ, err)
			}
		}
		_, err = chromedp.MouseEvent(chromedp.MouseReleased, tx, ty, chromedp.ButtonLeft, chromedp.ClickCount(1))(ctx, t)
		return err
	})
	b.must("drag "+from+" to "+to, b.Run(DefaultTimeout, drag))
}

// DoubleClick double-clicks the visible element matched by the CSS selector.
func (b *Browser) DoubleClick(selector string) {
	b.t.Helper()
	b.must("double-click "+selector, b.Run(DefaultTimeout, chromedp.DoubleClick(chromedp.CSS(selector))))
}

// Key types keys (runes, or chromedp/kb names such as kb.ArrowRight) into
// the focused element of the page.
func (b *Browser) Key(keys string) {
	b.t.Helper()
	b.must("key "+keys, b.Run(DefaultTimeout, chromedp.KeyEvent(keys)))
}

// center returns the viewport coordinates of the middle of the element
// matched by the selector, scrolled into view.
func (b *Browser) center(selector string) (x, y float64) {
	b.t.Helper()
	q, _ := json.Marshal(selector)
	p := MustEval[[2]float64](b, fmt.Sprintf(`(() => {
  const e = document.querySelector(%s);
  if (!e) return [-1, -1];
  e.scrollIntoView({block: 'nearest'});
  const r = e.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
})()`, q))
	if p[0] < 0 {
		b.t.Fatalf("browsertest: %s matches no element", selector)
	}
	return p[0], p[1]
}
