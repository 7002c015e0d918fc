// The timeline's bar: recorded spans (gaps are what is left), bookmarks
// (locked ones marked), the marked in/out range, tick labels and the
// playhead, over a window of time. Click a time to play from it, drag to
// scrub (the playhead follows the pointer, the play starts on release),
// the wheel zooms. It draws and reports; timeline.js decides.

import { h } from './dom.js';
import { t } from './i18n.js';
import { clamp, clockText, dateText, fromFraction, tickText, ticks, toFraction } from './timescale.js';

/**
 * createTimebar(container, {onSeek(t), onScrub(t or NaN), onZoom(dir, t)})
 * Returns {el, draw(view), head(t)} where view is
 * {window:{from,to}, spans, bookmarks, markIn, markOut}.
 */
export function createTimebar(container, { onSeek, onScrub, onZoom }) {
  const ticksEl = h('div', { class: 'tl-ticks' });
  const spansEl = h('div', { class: 'tl-spans' });
  const marksEl = h('div', { class: 'tl-marks' });
  const rangeEl = h('div', { id: 'tl-range', class: 'tl-range', hidden: true });
  const headEl = h('div', { id: 'tl-head', class: 'tl-head', hidden: true });
  const hoverEl = h('div', { class: 'tl-hover', hidden: true });
  const el = h('div', { id: 'tl-bar', class: 'tl-bar', attrs: { role: 'slider', tabindex: '-1' } },
    ticksEl, spansEl, rangeEl, marksEl, headEl, hoverEl);
  container.append(el);
  let w = { from: 0, to: 1 };
  let drag = null; // {id, moved}

  const place = (node, from, to) => {
    const a = clamp(toFraction(w, from), 0, 1);
    const b = clamp(toFraction(w, to), 0, 1);
    node.style.left = `${a * 100}%`;
    node.style.width = `${Math.max(0, b - a) * 100}%`;
    return b > 0 && a < 1;
  };
  const timeAt = (clientX) => {
    const r = el.getBoundingClientRect();
    return fromFraction(w, clamp((clientX - r.left) / r.width, 0, 1));
  };

  function draw(view) {
    w = view.window;
    el.dataset.from = String(Math.round(w.from)); // the window, for tests that click a time
    el.dataset.to = String(Math.round(w.to));
    const tk = ticks(w);
    ticksEl.replaceChildren(...tk.times.map((tt) => {
      const n = h('span', { class: 'tl-tick' }, tickText(tt, tk.step));
      n.style.left = `${toFraction(w, tt) * 100}%`;
      return n;
    }));
    spansEl.replaceChildren(...view.spans.map((s) => {
      const n = h('div', { class: 'tl-span', dataset: { from: String(s.from), to: String(s.to) } });
      return place(n, s.from, s.to) ? n : null;
    }));
    marksEl.replaceChildren(...view.bookmarks.map((b) => {
      const n = h('div', {
        class: `tl-bookmark${b.locked ? ' locked' : ''}`, dataset: { id: b.id },
        title: `${b.title}${b.locked ? ` · ${t('bookmark.locked')}` : ''}\n${dateText(b.fromMs)} ${clockText(b.fromMs)}${b.note ? `\n${b.note}` : ''}`,
        on: { pointerdown: (e) => e.stopPropagation(), click: () => onSeek(b.fromMs) },
      });
      place(n, b.fromMs, Math.max(b.toMs, b.fromMs));
      n.style.minWidth = '3px';
      return n;
    }));
    const hasIn = Number.isFinite(view.markIn);
    const hasOut = Number.isFinite(view.markOut);
    rangeEl.hidden = !hasIn;
    if (hasIn) place(rangeEl, view.markIn, hasOut ? view.markOut : view.markIn);
    if (hasIn) rangeEl.style.minWidth = '2px';
  }

  /** Moves the playhead to t (NaN hides it). */
  function head(tt) {
    const f = toFraction(w, tt);
    headEl.hidden = !(f >= 0 && f <= 1);
    if (!headEl.hidden) headEl.style.left = `${f * 100}%`;
    el.setAttribute('aria-valuetext', Number.isFinite(tt) ? `${dateText(tt)} ${clockText(tt)}` : '');
  }

  el.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { id: e.pointerId, moved: false, x: e.clientX };
    el.setPointerCapture(e.pointerId);
    onScrub(timeAt(e.clientX));
  });
  el.addEventListener('pointermove', (e) => {
    hoverEl.hidden = false;
    hoverEl.style.left = `${clamp(toFraction(w, timeAt(e.clientX)), 0, 1) * 100}%`;
    hoverEl.textContent = clockText(timeAt(e.clientX));
    if (!drag || drag.id !== e.pointerId) return;
    if (Math.abs(e.clientX - drag.x) > 3) drag.moved = true;
    onScrub(timeAt(e.clientX));
  });
  el.addEventListener('pointerleave', () => { hoverEl.hidden = true; });
  const end = (e, seek) => {
    if (!drag || drag.id !== e.pointerId) return;
    drag = null;
    onScrub(NaN);
    if (seek) onSeek(timeAt(e.clientX));
  };
  el.addEventListener('pointerup', (e) => end(e, true));
  el.addEventListener('pointercancel', (e) => end(e, false));
  el.addEventListener('wheel', (e) => {
    e.preventDefault();
    onZoom(e.deltaY > 0 ? 1 : -1, timeAt(e.clientX));
  }, { passive: false });

  return { el, draw, head, timeAt };
}
