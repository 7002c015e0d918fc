// The "tours" (轮巡) menu: the user's own and the shared tours (GET
// /api/tours), each run on the selected tile or on the whole grid; stop
// every tour; save the cameras on screen as a new tour (POST /api/tours)
// with a dwell in seconds. The gateway steps the tours (tourrun.js).

import { ApiError, request } from './api.js';
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
  const menu = createMenu(button, async (panel, close) => {
    panel.classList.add('tours-panel');
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
    list.replaceChildren(...(tours.length ? tours.map((tour) => entry(tour, close)) : [menuNote(t('tours.none'))]));
  });

  function entry(tour, close) {
    const go = (where) => () => {
      close();
      run(tour, where);
    };
    return h('div', { class: 'tour-row', dataset: { tour: tour.id } },
      h('div', { class: 'tour-text' },
        h('span', { class: 'menu-label' }, tour.name),
        h('span', { class: 'menu-detail' }, t('tours.detail', { n: tour.cameras.length, seconds: tour.dwell_s }))),
      h('button', { type: 'button', class: 'btn tour-run', dataset: { where: 'tile' }, on: { click: go('tile') } }, t('tours.onTile')),
      h('button', { type: 'button', class: 'btn tour-run', dataset: { where: 'grid' }, on: { click: go('grid') } }, t('tours.onGrid')));
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
