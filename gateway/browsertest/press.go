package browsertest

import (
	"github.com/chromedp/chromedp"
)

// Press presses the left mouse button on the element matched by the CSS
// selector and keeps it down (a held button); Release lets it go there.
func (b *Browser) Press(selector string) {
	b.t.Helper()
	x, y := b.center(selector)
	b.must("press "+selector, b.Run(DefaultTimeout,
		chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1))))
}

// Release lets the left mouse button go over the element matched by the
// CSS selector.
func (b *Browser) Release(selector string) {
	b.t.Helper()
	x, y := b.center(selector)
	b.must("release "+selector, b.Run(DefaultTimeout,
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1))))
}
