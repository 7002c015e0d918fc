// Undo of the last change of the grid (Ctrl+Z): a cleared tile, a cleared
// grid, or any other change a dispatcher made by hand. One step is kept:
// what the grid showed before the last change.

import { typing } from './keyboard.js';
import { menuOpen } from './menu.js';

/**
 * createUndo(restore(snapshot), active()) → {remember(snapshot), clear()}
 * restore is called with the remembered snapshot on Ctrl+Z (or ⌘Z).
 */
export function createUndo(restore, active = () => true) {
  let last = null;
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || (e.key !== 'z' && e.key !== 'Z')) return;
    if (!active() || typing(e) || menuOpen() || !last) return;
    e.preventDefault();
    const snapshot = last;
    last = null;
    restore(snapshot);
  });
  return {
    remember(snapshot) {
      last = snapshot;
    },
    clear() {
      last = null;
    },
    get pending() {
      return last !== null;
    },
  };
}
