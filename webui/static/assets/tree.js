// The station tree: five station areas with their cameras, a live status dot
// per camera, and a search filter across stations. A click puts a camera on
// the selected tile; cameras can be dragged onto any tile; cameras on the
// grid are marked; a camera's hover title tells its codec, sound and what
// browsers get of it (codecs.js). The tree is rebuilt only
// when the set of stations or cameras changes; status refreshes update the
// existing nodes, so hover titles and keyboard focus survive a refresh.

import { cameraDetails } from './codecs.js';
import { recordingLine, recordingProblem } from './recording.js';
import { h } from './dom.js';
import { dragCamera } from './grids.js';
import { localName, onLangChange, reasonText, stateText, t } from './i18n.js';

const states = new Set(['online', 'connecting', 'offline']);

/** Normalizes a camera state to online, connecting or offline. */
export function cameraState(cam) {
  return states.has(cam?.state) ? cam.state : 'offline';
}

/** Whether a camera (of station) matches a lower-cased search query. */
export function matches(cam, station, query) {
  if (!query) return true;
  const fields = [cam.id, cam.name, cam.name_en, station.name, station.name_en, station.id];
  return fields.some((f) => typeof f === 'string' && f.toLowerCase().includes(query));
}

/**
 * createTree(listEl, emptyEl, {onSelect(camera, station)}) → {update, setFilter, setActive, …}
 */
export function createTree(list, emptyNote, { onSelect }) {
  let stations = [];
  let shape = '';
  let query = '';
  let active = new Set(); // cameras on the grid
  const collapsed = new Set();
  const camNodes = new Map(); // camera id → {li, button, dot, name, station}
  const stationNodes = new Map(); // station id → {li, header, count, name, group}

  function build() {
    list.replaceChildren();
    camNodes.clear();
    stationNodes.clear();
    for (const st of stations) list.append(buildStation(st));
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
    for (const cam of st.cameras || []) group.append(buildCamera(cam, st));
    const li = h('li', { class: 'station', dataset: { station: st.id }, attrs: { role: 'treeitem' } }, header, group);
    stationNodes.set(st.id, { li, header, count, name, group });
    return li;
  }

  function buildCamera(cam, st) {
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
    const li = h('li', { attrs: { role: 'treeitem' } }, button);
    camNodes.set(cam.id, { li, button, dot, name, stationID: st.id });
    return li;
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
    emptyNote.hidden = shown > 0;
    emptyNote.textContent = stations.length ? t('tree.noMatch') : t('tree.noStations');
  }

  onLangChange(render);

  return {
    /** Replaces the data (from GET /api/stations). */
    update(next) {
      stations = next;
      const nextShape = JSON.stringify(next.map((s) => [s.id, (s.cameras || []).map((c) => c.id)]));
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
