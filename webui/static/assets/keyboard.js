// The console's keys, for a dispatcher's hands that stay on the keyboard:
//   1–9     select tile 1–9          arrows  move the selection
//   F       focus the selected tile (again: back to the grid)
//   Esc     leave the focused tile   Delete  clear the selected tile
// Keys typed into a field, or while a menu is open, are left alone.

import { menuOpen } from './menu.js';

/** Whether a key event belongs to a text field or a control that uses keys. */
export function typing(e) {
  const el = e.target;
  return Boolean(el?.closest?.('input, textarea, select, [contenteditable="true"]'));
}

/**
 * bindKeys({select(i), move(key), toggleFocus(), leave(), clear()}, active())
 * active() says whether the view is on screen. Returns an unbind function.
 */
export function bindKeys(actions, active = () => true) {
  const onKey = (e) => {
    if (!active() || typing(e) || menuOpen() || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    let handled = true;
    if (/^[1-9]$/.test(k)) actions.select(Number(k) - 1);
    else if (k.startsWith('Arrow')) actions.move(k);
    else if (k === 'f' || k === 'F') actions.toggleFocus();
    else if (k === 'Escape') actions.leave();
    else if (k === 'Delete' || k === 'Backspace') actions.clear();
    else handled = false;
    if (handled) e.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
