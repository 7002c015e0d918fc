// Drop-down menus of the toolbar: a button that opens a panel below it,
// rebuilt on every open (so lists are fresh), closed by a second click, a
// click outside, Esc, or after an item's action.

import { h } from './dom.js';

let openMenu = null;

document.addEventListener('pointerdown', (e) => {
  if (openMenu && !openMenu.root.contains(e.target)) openMenu.close();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && openMenu) {
    e.stopPropagation();
    openMenu.close();
  }
}, true);

/** Whether a menu is open (keyboard shortcuts stay out of its way). */
export const menuOpen = () => openMenu !== null;

/**
 * createMenu(button, fill) wraps button; fill(panel, close) fills the
 * (emptied) panel each time the menu opens and may be async.
 */
export function createMenu(button, fill) {
  const panel = h('div', { class: 'menu-panel', attrs: { role: 'menu' }, hidden: true });
  const root = h('div', { class: 'menu' });
  button.replaceWith(root);
  root.append(button, panel);
  button.setAttribute('aria-haspopup', 'true');
  button.setAttribute('aria-expanded', 'false');
  const menu = {
    root,
    panel,
    async open() {
      openMenu?.close();
      openMenu = menu;
      panel.replaceChildren();
      panel.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      await fill(panel, menu.close);
    },
    close() {
      if (openMenu === menu) openMenu = null;
      panel.hidden = true;
      button.setAttribute('aria-expanded', 'false');
    },
  };
  button.addEventListener('click', () => (panel.hidden ? menu.open() : menu.close()));
  return menu;
}

/** A menu entry: a button with a label and optional detail text. */
export function menuItem(label, detail, onClick, props = {}) {
  return h('button', { type: 'button', class: 'menu-item', attrs: { role: 'menuitem' }, on: { click: onClick }, ...props },
    h('span', { class: 'menu-label' }, label),
    detail ? h('span', { class: 'menu-detail' }, detail) : null);
}

export const menuHeading = (text) => h('div', { class: 'menu-heading' }, text);
export const menuNote = (text) => h('div', { class: 'menu-note' }, text);
