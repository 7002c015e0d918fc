// Saved layouts (GET/POST /api/layouts, PUT/DELETE /api/layouts/{id}): the
// "layouts" menu lists the user's own and the shared layouts, opens one,
// saves the current view under a name (the same name overwrites the user's
// own layout), and deletes. Operators may share a layout and tie it to a
// station; an admin's station layout becomes the station's default (the
// gateway resolves it into GET /api/stations). The list also offers the
// stations' defaults (read-only, id "station:<id>").

import { ApiError, createLayout, deleteLayout, getLayouts, updateLayout } from './api.js';
import { copyLayoutLink } from './copylink.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { gridCount } from './grids.js';
import { localName, t } from './i18n.js';
import { createMenu, menuHeading, menuNote } from './menu.js';
import { toast } from './toast.js';

const roles = ['viewer', 'dispatcher', 'operator', 'admin'];

/** Whether role is at least min. */
export const roleAtLeast = (role, min) => roles.indexOf(role) >= roles.indexOf(min);

/** The cameras of a layout, with trailing empty tiles removed. */
export function trimmed(cameras) {
  const out = [...(cameras || [])];
  while (out.length && !out[out.length - 1]) out.pop();
  return out;
}

/**
 * createLayouts(button, {session, stations, current, open, onSaved})
 *   session() → {user, role}; stations() → [{id, name, …}];
 *   current() → {grid, cameras}; open(layout); onSaved(layout)
 * → {menu, list(), load()}
 */
export function createLayouts(button, { session, stations, current, open, onSaved }) {
  let layouts = [];

  async function load() {
    try {
      layouts = await getLayouts();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) toast(t('layouts.loadFailed', { message: errorText(err) }), 'error');
    }
    return layouts;
  }

  const menu = createMenu(button, async (panel, close) => {
    const s = session();
    panel.classList.add('layouts-panel');
    panel.append(saveForm(s, close));
    const list = h('div', { class: 'menu-list' }, menuNote(t('layouts.loading')));
    panel.append(list);
    await load();
    fillList(list, s, close);
  });

  function fillList(list, s, close) {
    const groups = [
      ['layouts.own', layouts.filter((l) => !l.default && l.owner === s.user)],
      ['layouts.shared', layouts.filter((l) => !l.default && l.owner !== s.user)],
      ['layouts.defaults', layouts.filter((l) => l.default)],
    ];
    list.replaceChildren();
    for (const [key, items] of groups) {
      if (key === 'layouts.defaults' && !items.length) continue;
      list.append(menuHeading(t(key)));
      if (!items.length) list.append(menuNote(t('layouts.none')));
      for (const l of items) list.append(entry(l, editable(l, s), close));
    }
  }

  /** The gateway says whether a layout is editable; older answers leave it to the owner. */
  const editable = (l, s) => (l.editable !== undefined ? Boolean(l.editable) && !l.default : l.owner === s.user);

  function entry(l, deletable, close) {
    const st = l.station && stations().find((x) => x.id === l.station);
    const detail = [t(`grid.${l.grid}`), t('layouts.cameras', { n: trimmed(l.cameras).filter(Boolean).length })];
    if (st) detail.push(t(l.default ? 'layouts.stationDefault' : 'layouts.stationLayout', { station: localName(st) }));
    if (l.shared && l.owner && !l.default) detail.push(l.owner);
    const openBtn = h('button', {
      type: 'button', class: 'menu-item layout-open', attrs: { role: 'menuitem' },
      on: { click: () => { close(); open(l); } },
    }, h('span', { class: 'menu-label' }, l.name || (st ? localName(st) : l.id)), h('span', { class: 'menu-detail' }, detail.join(' · ')));
    const link = h('button', {
      type: 'button', class: 'layout-link', title: t('layouts.copyLink'),
      attrs: { 'aria-label': t('layouts.copyLink') }, on: { click: () => copyLayoutLink(l) },
    }, '⧉');
    const row = h('div', { class: 'layout-row', dataset: { layout: l.id } }, openBtn, link);
    if (deletable) {
      const del = h('button', { type: 'button', class: 'layout-del', title: t('layouts.delete'), attrs: { 'aria-label': t('layouts.delete') } }, '×');
      del.addEventListener('click', async () => {
        if (!row.classList.contains('confirm')) {
          row.classList.add('confirm');
          del.textContent = t('layouts.confirmDelete');
          return;
        }
        try {
          await deleteLayout(l.id);
          layouts = layouts.filter((x) => x.id !== l.id);
          row.remove();
          toast(t('layouts.deleted', { name: l.name }));
        } catch (err) {
          toast(t('layouts.deleteFailed', { message: errorText(err) }), 'error');
        }
      });
      row.append(del);
    }
    return row;
  }

  function saveForm(s, close) {
    const form = h('form', { class: 'save-form', attrs: { novalidate: '' } });
    if (!roleAtLeast(s.role, 'dispatcher')) {
      form.append(menuNote(t('layouts.viewerCannotSave')));
      return form;
    }
    const name = h('input', {
      id: 'layout-name', name: 'name', required: true, maxLength: 64, autocomplete: 'off', spellcheck: false,
      placeholder: t('layouts.namePlaceholder'), attrs: { 'aria-label': t('layouts.name') },
    });
    const save = h('button', { type: 'submit', id: 'layout-save', class: 'btn btn-primary' }, t('layouts.save'));
    form.append(menuHeading(t('layouts.saveCurrent')), h('div', { class: 'save-row' }, name, save));
    let shared = null;
    let station = null;
    if (roleAtLeast(s.role, 'operator')) {
      shared = h('input', { type: 'checkbox', id: 'layout-shared' });
      station = h('select', { id: 'layout-station' },
        h('option', { value: '' }, t('layouts.noStation')),
        stations().map((st) => h('option', { value: st.id }, localName(st))));
      station.addEventListener('change', () => { if (station.value) shared.checked = true; });
      form.append(
        h('label', { class: 'check' }, shared, h('span', {}, t('layouts.shareIt'))),
        h('label', { class: 'select-row' },
          h('span', {}, t(s.role === 'admin' ? 'layouts.asDefault' : 'layouts.forStation')), station));
    }
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = name.value.trim();
      if (!text) {
        name.focus();
        return;
      }
      save.disabled = true;
      const cur = current();
      const body = {
        name: text,
        grid: cur.grid,
        cameras: trimmed(cur.cameras.slice(0, gridCount(cur.grid))),
        shared: Boolean(shared?.checked || station?.value),
        station: station?.value || '',
      };
      try {
        const same = layouts.find((l) => !l.default && l.owner === s.user && l.name === text);
        const saved = same ? await updateLayout(same.id, body) : await createLayout(body);
        const stored = { ...body, owner: s.user, ...saved };
        layouts = [...layouts.filter((l) => l.id !== stored.id), stored];
        close();
        toast(t('layouts.saved', { name: text }));
        onSaved(stored);
      } catch (err) {
        save.disabled = false;
        toast(t('layouts.saveFailed', { message: errorText(err) }), 'error');
      }
    });
    setTimeout(() => name.focus(), 0);
    return form;
  }

  return {
    menu,
    load,
    list: () => layouts,
  };
}
