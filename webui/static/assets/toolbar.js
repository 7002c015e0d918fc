// The toolbar above the grid: one button per station (a click loads its
// default layout) and the grid picker, each grid drawn as a small icon with
// the same CSS as the real grid.

import { h } from './dom.js';
import { gridCount, gridNames } from './grids.js';
import { localName, onLangChange, t } from './i18n.js';
import { cameraState } from './tree.js';

/**
 * createToolbar({stationBar, gridBar, onStation(id), onGrid(name)})
 *   → {setStations(list), setActive({station, grid})}
 */
export function createToolbar({ stationBar, gridBar, onStation, onGrid }) {
  let stations = [];
  let shape = '';
  let active = { station: '', grid: '' };
  const stationButtons = new Map();

  const gridButtons = gridNames.map((name) => {
    const icon = h('span', { class: 'grid-icon', dataset: { grid: name }, attrs: { 'aria-hidden': 'true' } },
      Array.from({ length: gridCount(name) }, () => h('span')));
    return h('button', {
      type: 'button', class: 'tool grid-btn', dataset: { grid: name },
      on: { click: () => onGrid(name) },
    }, icon);
  });
  gridBar.replaceChildren(...gridButtons);

  function build() {
    stationButtons.clear();
    stationBar.replaceChildren(...stations.map((st) => {
      const name = h('span', { class: 'sb-name' });
      const count = h('span', { class: 'sb-count' });
      const btn = h('button', {
        type: 'button', class: 'tool station-btn', dataset: { station: st.id },
        on: { click: () => onStation(st.id) },
      }, name, count);
      stationButtons.set(st.id, { btn, name, count });
      return btn;
    }));
  }

  function render() {
    for (const st of stations) {
      const b = stationButtons.get(st.id);
      const cams = st.cameras || [];
      const online = cams.filter((c) => cameraState(c) === 'online').length;
      b.name.textContent = localName(st);
      b.count.textContent = `${online}/${cams.length}`;
      b.count.classList.toggle('degraded', online < cams.length);
      b.btn.title = t('toolbar.station', { name: localName(st) });
      b.btn.classList.toggle('active', st.id === active.station);
      b.btn.setAttribute('aria-pressed', String(st.id === active.station));
    }
    for (const btn of gridButtons) {
      const on = btn.dataset.grid === active.grid;
      btn.classList.toggle('active', on);
      btn.setAttribute('aria-pressed', String(on));
      btn.title = t('toolbar.grid', { grid: t(`grid.${btn.dataset.grid}`) });
      btn.setAttribute('aria-label', btn.title);
    }
  }

  onLangChange(render);
  render();

  return {
    setStations(list) {
      stations = list;
      const next = list.map((s) => s.id).join(',');
      if (next !== shape) {
        shape = next;
        build();
      }
      render();
    },
    setActive(next) {
      active = next;
      render();
    },
  };
}
