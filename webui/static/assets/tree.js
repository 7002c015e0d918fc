// The station tree: five station areas with their cameras (grouped by the
// area of the station they watch: squares, halls, platforms, entrances), a
// live status dot per camera, the user's favourites on top, and a search
// filter across stations by name, pinyin (full or initials, from the
// gateway's search keys) and id. A click puts a camera on
// the selected tile; cameras can be dragged onto any tile; cameras on the
// grid are marked; a camera's hover title tells its codec, sound and what
// browsers get of it (codecs.js). The tree is rebuilt only
// when the set of stations or cameras changes; status refreshes update the
// existing nodes, so hover titles and keyboard focus survive a refresh.

import { cameraDetails } from './codecs.js';
import { recordingLine, recordingProblem } from './recording.js';
import { h } from './dom.js';
import { dragCamera } from './grids.js';
import { lang, localName, onLangChange, reasonText, stateText, t } from './i18n.js';
import './i18n-console.js';

const states = new Set(['online', 'connecting', 'offline']);

/** Normalizes a camera state to online, connecting or offline. */
export function cameraState(cam) {
  return states.has(cam?.state) ? cam.state : 'offline';
}

/**
 * Whether a camera (of station) matches a lower-cased search query: a
 * substring of its id, names, area or station, or, spaces left out, of
 * one of its pinyin keys ("zt" and "zhan tai" find 站台 1: "zt1", "zhantai1").
 */
export function matches(cam, station, query) {
  if (!query) return true;
  const fields = [cam.id, cam.name, cam.name_en, cam.area, cam.area_en, station.name, station.name_en, station.id];
  if (fields.some((f) => typeof f === 'string' && f.toLowerCase().includes(query))) return true;
  const compact = query.replace(/\s+/g, '');
  return Boolean(compact) && (cam.search || []).some((k) => typeof k === 'string' && k.includes(compact));
}

/** The display name of a camera's area in the current language. */
export const areaName = (cam) => (lang() === 'en' && cam.area_en) || cam.area || '';

/**
 * createTree(listEl, emptyEl, {onSelect(camera, station), onStar(cameraID)})
 *   → {update, setFilter, setActive, setFavourites, …}
 */
export function createTree(list, emptyNote, { onSelect, onStar }) {
  let stations = [];
  let shape = '';
  let query = '';
  let active = new Set(); // cameras on the grid
  const collapsed = new Set();
  const camNodes = new Map(); // camera id → {li, button, dot, name, station}
  const stationNodes = new Map(); // station id → {li, header, count, name, group}
  const areaNodes = []; // {li, label, cams: [camera], station}
  let favourites = new Set();
  const favGroup = h('ul', { class: 'cameras' });
  const favLabel = h('span', { class: 'fav-name' });
  const favLi = h('li', { class: 'favourites', attrs: { role: 'treeitem' } },
    h('div', { class: 'station-header fav-header' }, h('span', { class: 'fav-mark', attrs: { 'aria-hidden': 'true' } }, '★'), favLabel),
    favGroup);

  function build() {
    list.replaceChildren(favLi);
    camNodes.clear();
    stationNodes.clear();
    areaNodes.length = 0;
    for (const st of stations) list.append(buildStation(st));
    buildFavourites();
  }

  /** The favourites section: the user's starred cameras, in tree order. */
  function buildFavourites() {
    favGroup.replaceChildren();
    for (const st of stations) {
      for (const cam of st.cameras || []) if (favourites.has(cam.id)) favGroup.append(camItem(cam, st, true));
    }
    favLi.hidden = favGroup.children.length === 0;
  }

  /** The cameras of a station, under their areas when the config names any. */
  function fillGroup(group, st) {
    const cams = st.cameras || [];
    if (!cams.some((c) => c.area)) {
      for (const cam of cams) group.append(buildCamera(cam, st));
      return;
    }
    const areas = new Map();
    for (const cam of cams) {
      const key = cam.area || '';
      if (!areas.has(key)) areas.set(key, []);
      areas.get(key).push(cam);
    }
    for (const [area, members] of areas) {
      const label = h('span', { class: 'area-name' });
      const sub = h('ul', { class: 'cameras', attrs: { role: 'group' } }, members.map((cam) => buildCamera(cam, st)));
      const li = h('li', { class: 'area', dataset: { area }, attrs: { role: 'treeitem' } }, h('div', { class: 'area-header' }, label), sub);
      areaNodes.push({ li, label, cams: members, station: st, area });
      group.append(li);
    }
  }

  function buildStation(st) {
    const name = h('span', { class: 'station-name' });
    const count = h('span', { class: 'station-count' });
    const header = h('button', {
      type: 'button',
      class: 'station-header',
      on: { click: () => toggle(st.id) },
    }, h('span', { class: 'caret', attrs: { 'aria-hidden': 'true' } }), name, count);
    const group = h('ul', { class: 'cameras', attrs: { role: 'group' } });
    fillGroup(group, st);
    const li = h('li', { class: 'station', dataset: { station: st.id }, attrs: { role: 'treeitem' } }, header, group);
    stationNodes.set(st.id, { li, header, count, name, group });
    return li;
  }

  function buildCamera(cam, st) {
    const li = camItem(cam, st, false);
    camNodes.set(cam.id, { ...li.node, stationID: st.id });
    return li;
  }

  /** One camera's row: dot, name, id and its star; the favourites' copy is marked. */
  function camItem(cam, st, inFavourites) {
    const dot = h('span', { class: 'dot' });
    const name = h('span', { class: 'cam-name' });
    const id = h('span', { class: 'cam-id' }, cam.id);
    const button = h('button', {
      type: 'button',
      class: 'cam',
      draggable: true,
      dataset: { camera: cam.id },
      on: {
        click: () => onSelect(currentCamera(cam.id), currentStation(st.id)),
        dragstart: (e) => {
          e.dataTransfer.setData(dragCamera, cam.id);
          e.dataTransfer.setData('text/plain', cam.id);
          e.dataTransfer.effectAllowed = 'copy';
        },
      },
    }, dot, name, id);
    if (inFavourites) button.dataset.favourite = 'true';
    const star = h('button', { type: 'button', class: 'cam-star', dataset: { star: cam.id }, on: { click: () => onStar?.(cam.id) } });
    const li = h('li', { class: 'cam-row', attrs: { role: 'treeitem' } }, button, star);
    li.node = { li, button, dot, name, star };
    if (inFavourites) renderCamera(li.node, currentCamera(cam.id) || cam);
    return li;
  }

  /** A camera row's dot, name, title, marks and star. */
  function renderCamera(c, cam) {
    const state = cameraState(cam);
    c.dot.className = `dot dot-${state}`;
    c.name.textContent = localName(cam);
    c.button.title = [`${localName(cam)} (${cam.id}) · ${stateText(state, cam.reason)}`, ...cameraDetails(cam), recordingLine(cam)]
      .filter(Boolean).join('\n');
    const problem = recordingProblem(cam);
    c.button.classList.toggle('rec-paused', problem === 'paused');
    c.button.classList.toggle('rec-unsupported', problem === 'unsupported');
    c.dot.title = state === 'offline' ? reasonText(cam.reason) : t(`state.${state}`);
    c.button.classList.toggle('on-grid', active.has(cam.id));
    c.button.setAttribute('aria-selected', String(active.has(cam.id)));
    c.button.classList.toggle('is-offline', state === 'offline');
    const fav = favourites.has(cam.id);
    c.star.textContent = fav ? '★' : '☆';
    c.star.classList.toggle('is-favourite', fav);
    c.star.title = t(fav ? 'tree.unfavourite' : 'tree.favourite');
    c.star.setAttribute('aria-label', c.star.title);
    c.star.setAttribute('aria-pressed', String(fav));
  }

  const currentStation = (id) => stations.find((s) => s.id === id);
  const currentCamera = (id) => {
    for (const st of stations) for (const c of st.cameras || []) if (c.id === id) return c;
    return null;
  };

  function toggle(id) {
    if (collapsed.has(id)) collapsed.delete(id);
    else collapsed.add(id);
    render();
  }

  /** Brings every node up to date with stations, query, selection, language. */
  function render() {
    let shown = 0;
    for (const st of stations) {
      const node = stationNodes.get(st.id);
      let online = 0;
      let visible = 0;
      for (const cam of st.cameras || []) {
        const state = cameraState(cam);
        if (state === 'online') online++;
        const c = camNodes.get(cam.id);
        const match = matches(cam, st, query);
        c.li.hidden = !match;
        if (match) visible++;
        renderCamera(c, cam);
      }
      const total = (st.cameras || []).length;
      node.name.textContent = localName(st);
      node.count.textContent = t('tree.count', { online, total });
      node.count.classList.toggle('degraded', online < total);
      const open = query ? visible > 0 : !collapsed.has(st.id);
      node.li.hidden = query !== '' && visible === 0;
      node.li.classList.toggle('collapsed', !open);
      node.header.setAttribute('aria-expanded', String(open));
      if (!node.li.hidden) shown++;
    }
    renderAreas();
    favLabel.textContent = t('tree.favourites');
    for (const li of favGroup.children) renderCamera(li.node, currentCamera(li.node.star.dataset.star) || {});
    favLi.hidden = query !== '' || favGroup.children.length === 0;
    emptyNote.hidden = shown > 0;
    emptyNote.textContent = stations.length ? t('tree.noMatch') : t('tree.noStations');
  }

  /** Area headers: their names, hidden when no camera of theirs matches. */
  function renderAreas() {
    for (const a of areaNodes) {
      a.label.textContent = areaName(a.cams[0]) || t('tree.noArea');
      a.li.hidden = a.cams.every((cam) => camNodes.get(cam.id).li.hidden);
    }
  }

  onLangChange(render);

  return {
    /** Replaces the data (from GET /api/stations). */
    update(next) {
      stations = next;
      const nextShape = JSON.stringify(next.map((s) => [s.id, (s.cameras || []).map((c) => [c.id, c.area || ''])]));
      if (nextShape !== shape) {
        shape = nextShape;
        build();
      }
      render();
    },
    setFilter(text) {
      query = text.trim().toLowerCase();
      render();
    },
    /** Sets the user's favourite cameras (a Set of ids). */
    setFavourites(ids) {
      favourites = new Set(ids);
      buildFavourites();
      render();
    },
    /** Marks the cameras on the grid. */
    setActive(ids) {
      active = new Set(ids);
      render();
    },
    camera: currentCamera,
    station: currentStation,
    stationOf(cameraID) {
      const node = camNodes.get(cameraID);
      return node ? currentStation(node.stationID) : null;
    },
  };
}
