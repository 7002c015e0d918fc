// The live view: station tree on the left, toolbar (stations, grids,
// layouts, walls) and the tile grid in the middle. It owns the current view
// {grid, cameras, focus, selection} and where it came from (a station's
// default, a saved layout, or hand-made), keeps the URL in step, and turns
// tree clicks, drags, tile gestures and keys into view changes.

import { getLayout } from './api.js';
import { $ } from './dom.js';
import { defaultGrid, fit, gridCount, gridFor, maxTiles, neighbour, validGrid } from './grids.js';
import { t } from './i18n.js';
import { bindKeys } from './keyboard.js';
import { createLayouts, roleAtLeast } from './layouts.js';
import { createScreen } from './screen.js';
import { toast } from './toast.js';
import { createToolbar } from './toolbar.js';
import { parseView, viewSearch } from './viewurl.js';
import { createWalls } from './walls.js';

/**
 * createLive({tree, stations, session, lookup, hooks}) where stations() and
 * session() read the app's current data and hooks are the screen's link and
 * health hooks. Returns {start(search), stop(), stationsChanged(), put(camera)}.
 */
export function createLive({ tree, stations, session, lookup, hooks }) {
  let source = { kind: '', id: '', grid: '', cameras: [] };
  let running = false;

  const screen = createScreen($('#stage'), {
    interactive: true,
    lookup,
    hooks: {
      ...hooks,
      onSelect: (i) => select(i),
      onFocus: (i) => change({ focus: i }),
      onClear: (i) => setTile(i, ''),
      onDropCamera: (i, id) => {
        setTile(i, id);
        select(i);
      },
      onSwap: (a, b) => swap(a, b),
    },
  });
  const view = screen.view;
  const grid = screen.grid;

  const toolbar = createToolbar({
    stationBar: $('#station-bar'),
    gridBar: $('#grid-bar'),
    onStation: (id) => openStation(id),
    onGrid: (name) => setGrid(name),
  });
  const layouts = createLayouts($('#layouts-btn'), {
    session,
    stations,
    current: () => view,
    open: (l) => openLayout(l),
    onSaved: (l) => {
      source = { kind: 'layout', id: l.id, grid: l.grid, cameras: fit(l.cameras, gridCount(l.grid)) };
      changed();
      if (l.station) hooks.refreshStations?.(); // it may be the station's new default
    },
  });
  createWalls($('#walls-btn'), { current: () => view });
  $('#clear-all').addEventListener('click', () => change({ cameras: [], focus: -1 }));
  bindKeys({
    select: (i) => {
      select(i);
      if (view.focus >= 0 && i < grid.count) change({ focus: i });
    },
    move: (key) => select(neighbour(view.grid, grid.selected, key)),
    toggleFocus: () => change({ focus: view.focus >= 0 ? -1 : grid.selected }),
    leave: () => view.focus >= 0 && change({ focus: -1 }),
    clear: () => setTile(grid.selected, ''),
  }, () => running && !$('#live-view').hidden); // not while another view (admin) is shown

  function select(i) {
    grid.select(i);
  }

  function change(next) {
    screen.show(next);
    changed();
  }

  /** After every view change: URL, toolbar, tree marks. */
  function changed() {
    const n = gridCount(view.grid);
    const cams = view.cameras.slice(0, n);
    const same = source.kind && source.grid === view.grid && source.cameras.join() === fit(cams, n).join();
    const search = viewSearch({ source: same ? source : null, grid: view.grid, cameras: cams });
    if (search !== location.search) history.replaceState(null, '', location.pathname + search);
    toolbar.setActive({ station: same && source.kind === 'station' ? source.id : '', grid: view.grid });
    tree.setActive(cams.filter(Boolean));
  }

  function setTile(i, id) {
    if (i < 0 || i >= grid.count) return;
    const cameras = [...view.cameras];
    cameras[i] = id;
    change({ cameras, focus: id ? view.focus : -1 });
  }

  function swap(a, b) {
    if (a === b) return;
    const cameras = [...view.cameras];
    [cameras[a], cameras[b]] = [cameras[b], cameras[a]];
    change({ cameras });
    select(b);
  }

  function setGrid(name) {
    if (!validGrid(name)) return;
    change({ grid: name, focus: -1 });
  }

  /** The cameras a station shows in grid: its default layout, then its other cameras. */
  function stationCameras(st, layout, grid) {
    const ids = [...(layout?.cameras || [])];
    for (const c of st.cameras || []) if (!ids.includes(c.id)) ids.push(c.id);
    return fit(ids, gridCount(grid));
  }

  function openStation(id, wantGrid = '') {
    const st = stations().find((s) => s.id === id);
    if (!st) {
      toast(t('live.noStation', { id }), 'error');
      return;
    }
    const layout = st.layout; // the gateway resolves a saved station default into it
    const g = wantGrid || (validGrid(layout?.grid) ? layout.grid : gridFor((st.cameras || []).length));
    const cameras = stationCameras(st, layout, g);
    source = { kind: 'station', id, grid: g, cameras };
    change({ grid: g, cameras, focus: -1 });
    select(0);
  }

  function openLayout(l) {
    if (l.default && l.station) {
      openStation(l.station);
      return;
    }
    const g = validGrid(l.grid) ? l.grid : gridFor((l.cameras || []).length);
    const cameras = fit(l.cameras, gridCount(g));
    source = { kind: 'layout', id: l.id, grid: g, cameras };
    change({ grid: g, cameras, focus: -1 });
    select(0);
  }

  /** Puts a camera (a tree click) on the selected tile and selects the next. */
  function put(cam) {
    const i = grid.selected;
    setTile(i, cam.id);
    select((i + 1) % grid.count);
  }

  /** Opens the view the URL asks for; the station's default when it asks for none. */
  async function openFromURL(search) {
    const want = parseView(search);
    if (want.layout) {
      try {
        openLayout(await getLayout(want.layout));
        return;
      } catch (err) {
        toast(t('live.layoutMissing', { message: err.message }), 'error');
      }
    }
    if (want.cameras.length) {
      change({ grid: want.grid || gridFor(want.cameras.length), cameras: want.cameras, focus: -1 });
    } else if (want.station) {
      openStation(want.station, want.grid);
    } else if (stations().length) {
      openStation(stations()[0].id, want.grid);
    } else {
      change({ grid: want.grid || defaultGrid });
    }
  }

  /** Plays camera's recording from start on the selected tile (the
   * console's "play" message), and selects the next tile. */
  function playFrom(cam, start) {
    const i = grid.selected;
    setTile(i, cam.id);
    screen.signal.send({ type: 'play', tile: i, camera: cam.id, start: start.toISOString(), speed: 1 });
    select((i + 1) % grid.count);
  }

  return {
    screen,
    put,
    playFrom,
    /** Starts the media connection and opens the URL's view. */
    async start(search) {
      running = true;
      $('#walls-btn').closest('.menu').hidden = !roleAtLeast(session().role, 'operator');
      screen.start();
      await layouts.load();
      await openFromURL(search);
    },
    /** Ends the media connection and empties the grid; the URL stays for the next start. */
    stop() {
      running = false;
      screen.stop();
      screen.show({ cameras: fit([], maxTiles), focus: -1 });
    },
    /** The stations list changed (poll or camera message): names, dots, counts. */
    stationsChanged() {
      toolbar.setStations(stations());
      screen.refresh();
    },
  };
}
