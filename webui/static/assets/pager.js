// The page control of a station view: "‹ 3/12 ›" steps through all of a
// station's cameras a grid at a time (9, 16 or 25 a page), so a station of
// 300 cameras is seen whole in a 5×5 grid. Shown only while the grid shows
// a station's page.

import { h } from './dom.js';
import { onLangChange, t } from './i18n.js';
import './i18n-console.js';

/** The pages of n cameras in a grid of size tiles (at least 1). */
export const pageCount = (n, size) => Math.max(1, Math.ceil(n / Math.max(size, 1)));

/** The cameras of page p (0-based) of ids, size a page. */
export const pageOf = (ids, size, p) => ids.slice(p * size, (p + 1) * size);

/**
 * createPager(after, onPage(delta)) puts the control after element `after`.
 * → {set({page, pages}) (page 0-based; pages 0 hides it)}
 */
export function createPager(after, onPage) {
  const prev = h('button', { type: 'button', class: 'tool pager-btn', id: 'page-prev', on: { click: () => onPage(-1) } }, '‹');
  const text = h('span', { class: 'pager-text', id: 'page-text', attrs: { 'aria-live': 'polite' } });
  const next = h('button', { type: 'button', class: 'tool pager-btn', id: 'page-next', on: { click: () => onPage(1) } }, '›');
  const el = h('div', { class: 'pager-bar', id: 'pager', attrs: { role: 'group' }, hidden: true }, prev, text, next);
  after.after(el);
  let state = { page: 0, pages: 0 };

  function render() {
    el.hidden = state.pages < 2;
    text.textContent = t('pager.page', { page: state.page + 1, pages: state.pages });
    prev.disabled = state.page <= 0;
    next.disabled = state.page >= state.pages - 1;
    prev.title = t('pager.prev');
    next.title = t('pager.next');
    prev.setAttribute('aria-label', prev.title);
    next.setAttribute('aria-label', next.title);
  }
  onLangChange(render);
  render();
  return {
    el,
    set(next) {
      state = next;
      render();
    },
  };
}
