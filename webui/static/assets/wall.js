// The video wall kiosk (/wall/{id}): no chrome, only the grid. It follows
// the wall over the console WebSocket ({"type":"follow"}); the gateway
// pushes the wall's layout whenever an operator changes it, and the grid
// follows at once. The wall's current layout is also read once from
// GET /api/walls so the first picture does not wait for a push.

import { getWalls } from './api.js';
import { $, show } from './dom.js';
import { fit, gridCount, gridFor, validGrid } from './grids.js';
import { onLangChange, t } from './i18n.js';
import { createScreen } from './screen.js';

/** createWall(id, {lookup, hooks}) → {start(), stop(), stationsChanged()} */
export function createWall(id, { lookup, hooks }) {
  const note = $('#wall-note');
  let wall = null; // {id, name}
  let noteKey = 'wall.waiting';
  let pushed = false; // a layout came over the WebSocket: newer than any GET

  const screen = createScreen($('#wall-stage'), {
    interactive: false,
    lookup,
    hooks: {
      ...hooks,
      onLayout: (m) => {
        if (m.wall === id && m.layout) {
          pushed = true;
          showLayout(m.layout);
        }
        hooks.onLayout?.(m);
      },
    },
  });

  function showLayout(layout) {
    const g = validGrid(layout.grid) ? layout.grid : gridFor((layout.cameras || []).length);
    const cameras = fit(layout.cameras, gridCount(g));
    screen.show({ grid: g, cameras, focus: -1 });
    setNote(cameras.some(Boolean) ? '' : 'wall.waiting');
  }

  function setNote(key) {
    noteKey = key;
    show(note, Boolean(key));
    note.textContent = key ? t(key, { name: wall?.name || id }) : '';
  }

  onLangChange(() => setNote(noteKey));

  return {
    screen,
    async start() {
      document.title = t('wall.title', { id });
      setNote('wall.waiting');
      screen.signal.follow(id);
      screen.start();
      try {
        wall = (await getWalls()).find((w) => w.id === id) || null;
        if (!wall) setNote('wall.notFound');
        else if (wall.layout && !pushed) showLayout(wall.layout);
      } catch { /* the follow brings the layout anyway */ }
    },
    stop() {
      screen.stop();
    },
    stationsChanged() {
      screen.refresh();
    },
  };
}
