// Short notices at the bottom right: saved, pushed, refused. They fade by
// themselves; errors stay a little longer.

import { h } from './dom.js';

let box = null;

/** Shows text; kind is "ok" (default) or "error". */
export function toast(text, kind = 'ok') {
  if (!box) {
    box = h('div', { class: 'toasts', attrs: { role: 'status', 'aria-live': 'polite' } });
    document.body.append(box);
  }
  const el = h('div', { class: `toast toast-${kind}` }, text);
  box.append(el);
  while (box.children.length > 4) box.firstElementChild.remove();
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}
