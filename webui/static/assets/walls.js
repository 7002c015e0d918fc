// "Push to wall": operators put the current view on a video wall
// (GET /api/walls, PUT /api/walls/{id}). Each wall's kiosk page
// (/wall/{id}, wall.js) follows within a second.

import { getWalls, putWall } from './api.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { gridCount } from './grids.js';
import { t } from './i18n.js';
import { trimmed } from './layouts.js';
import { createMenu, menuHeading, menuItem, menuNote } from './menu.js';
import { toast } from './toast.js';

/** createWalls(button, {current}) — current() → {grid, cameras}. */
export function createWalls(button, { current }) {
  return createMenu(button, async (panel, close) => {
    panel.classList.add('walls-panel');
    panel.append(menuHeading(t('walls.pushTo')));
    const list = h('div', { class: 'menu-list' }, menuNote(t('walls.loading')));
    panel.append(list);
    let walls;
    try {
      walls = await getWalls();
    } catch (err) {
      list.replaceChildren(menuNote(t('walls.loadFailed', { message: errorText(err) })));
      return;
    }
    list.replaceChildren();
    // A wall that also serves stations outside the user's is followed, not pushed to.
    const pushable = walls.filter((w) => w.controllable !== false);
    if (!pushable.length) list.append(menuNote(t('walls.none')));
    for (const w of pushable) {
      const showing = w.layout?.grid ? t('walls.showing', { grid: t(`grid.${w.layout.grid}`) }) : t('walls.blank');
      const item = menuItem(w.name || w.id, `${w.id} · ${showing}`, async () => {
        close();
        await push(w);
      });
      item.dataset.wall = w.id;
      list.append(item);
    }
    list.append(h('a', { class: 'menu-link', href: '/wall/' + encodeURIComponent(walls[0]?.id || 'main'), target: '_blank', rel: 'noopener' },
      t('walls.openKiosk')));
  });

  async function push(w) {
    const cur = current();
    try {
      await putWall(w.id, cur.grid, trimmed(cur.cameras.slice(0, gridCount(cur.grid))));
      toast(t('walls.pushed', { name: w.name || w.id }));
    } catch (err) {
      toast(t('walls.pushFailed', { name: w.name || w.id, message: errorText(err) }), 'error');
    }
  }
}
