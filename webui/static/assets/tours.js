// The "tours" (轮巡) menu: the user's own and the shared tours (GET
// /api/tours), each run on the selected tile or on the whole grid; stop
// every tour; save the cameras on screen as a new tour (POST /api/tours)
// with a dwell in seconds. The gateway steps the tours (tourrun.js).
// Operators also run a tour on a video wall, with no console open (PUT
// /api/walls/{id} {"tour_id","grid"}): the wall's kiosk follows it.

import { ApiError, getWalls, request } from './api.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';
import './i18n-console.js';
import { roleAtLeast } from './layouts.js';
import { createMenu, menuHeading, menuNote } from './menu.js';
import { toast } from './toast.js';

/** The tours this user may run. */
export async function getTours() {
  const body = await (await request('GET', '/api/tours')).json();
  return Array.isArray(body.tours) ? body.tours : [];
}

/** Saves a new tour {name, dwell_s, cameras}; returns it with its id. */
export async function createTour(tour) {
  return (await request('POST', '/api/tours', { json: tour })).json();
}

/**
 * createTours(before, {session, current, run(tour, where), stopAll, running})
 * puts the menu button before element `before`. current() → {cameras};
 * run(tour, "tile"|"grid"); running() tells whether any tour runs.
 */
export function createTours(before, { session, current, run, stopAll, running }) {
  const button = h('button', { type: 'button', id: 'tours-btn', class: 'tool tool-menu' }, t('tours.menu'));
  before.before(button);
  let walls = null; // the walls this operator may put a tour on; null: not loaded
  const menu = createMenu(button, async (panel, close) => {
    panel.classList.add('tours-panel');
    const wallSelect = await wallPicker(panel);
    if (running()) {
      panel.append(h('button', { type: 'button', id: 'tours-stop', class: 'btn', on: { click: () => { close(); stopAll(); } } },
        t('tours.stopAll')));
    }
    panel.append(saveForm(close));
    const list = h('div', { class: 'menu-list' }, menuNote(t('tours.loading')));
    panel.append(menuHeading(t('tours.list')), list);
    let tours;
    try {
      tours = await getTours();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) list.replaceChildren(menuNote(t('tours.loadFailed', { message: errorText(err) })));
      return;
    }
    list.replaceChildren(...(tours.length ? tours.map((tour) => entry(tour, close, wallSelect)) : [menuNote(t('tours.none'))]));
  });

  /** The wall select of an operator (null for others, or with no wall to control). */
  async function wallPicker(panel) {
    if (!roleAtLeast(session().role, 'operator')) return null;
    try {
      walls ??= (await getWalls()).filter((w) => w.controllable !== false);
    } catch {
      walls = [];
    }
    if (!walls.length) return null;
    const select = h('select', { id: 'tour-wall', attrs: { 'aria-label': t('tours.wall') } },
      walls.map((w) => h('option', { value: w.id }, w.name || w.id)));
    panel.append(h('label', { class: 'select-row tour-wall-row' }, h('span', {}, t('tours.wall')), select));
    return select;
  }

  async function onWall(tour, wallID, close) {
    close();
    const wall = walls.find((w) => w.id === wallID);
    const grid = wall?.layout?.grid || '1';
    try {
      await request('PUT', `/api/walls/${encodeURIComponent(wallID)}`, { json: { tour_id: tour.id, grid } });
      toast(t('tours.onWallStarted', { name: tour.name, wall: wall?.name || wallID }));
    } catch (err) {
      toast(t('tours.onWallFailed', { message: errorText(err) }), 'error');
    }
  }

  function entry(tour, close, wallSelect) {
    const go = (where) => () => {
      close();
      run(tour, where);
    };
    return h('div', { class: 'tour-row', dataset: { tour: tour.id } },
      h('div', { class: 'tour-text' },
        h('span', { class: 'menu-label' }, tour.name),
        h('span', { class: 'menu-detail' }, t('tours.detail', { n: tour.cameras.length, seconds: tour.dwell_s }))),
      h('button', { type: 'button', class: 'btn tour-run', dataset: { where: 'tile' }, on: { click: go('tile') } }, t('tours.onTile')),
      h('button', { type: 'button', class: 'btn tour-run', dataset: { where: 'grid' }, on: { click: go('grid') } }, t('tours.onGrid')),
      wallSelect ? h('button', { type: 'button', class: 'btn tour-run', dataset: { where: 'wall' },
        on: { click: () => onWall(tour, wallSelect.value, close) } }, t('tours.onWall')) : null);
  }

  function saveForm(close) {
    const form = h('form', { class: 'save-form', attrs: { novalidate: '' } });
    if (!roleAtLeast(session().role, 'dispatcher')) return form;
    const name = h('input', { id: 'tour-name', maxLength: 64, autocomplete: 'off', spellcheck: false, attrs: { 'aria-label': t('tours.name') }, placeholder: t('tours.name') });
    const dwell = h('input', { id: 'tour-dwell', type: 'number', min: 1, max: 3600, value: 10, attrs: { 'aria-label': t('tours.dwell') }, title: t('tours.dwell') });
    const save = h('button', { type: 'submit', id: 'tour-save', class: 'btn btn-primary' }, t('tours.save'));
    form.append(menuHeading(t('tours.saveCurrent')), h('div', { class: 'save-row' }, name, dwell, save));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const cameras = current().cameras.filter(Boolean);
      if (!name.value.trim()) return name.focus();
      if (!cameras.length) return toast(t('tours.empty'), 'error');
      try {
        const tour = await createTour({ name: name.value.trim(), dwell_s: Number(dwell.value) || 10, cameras });
        close();
        toast(t('tours.saved', { name: tour.name }));
      } catch (err) {
        toast(t('tours.saveFailed', { message: errorText(err) }), 'error');
      }
    });
    return form;
  }

  return menu;
}
