// The live view: station tree on the left, toolbar (stations, grids, the
// station's pages, layouts, tours, walls) and the tile grid in the middle.
// It owns the current view {grid, cameras, focus, selection} and where it
// came from (a station's page, a saved layout, or hand-made), keeps the URL
// in step, and turns tree clicks, drags, tile gestures, keys and tour steps
// into view changes. A hand-made change can be undone (Ctrl+Z).

import { getLayout } from './api.js';
import { $ } from './dom.js';
import { errorText } from './errors.js';
import { defaultGrid, fit, gridCount, gridFor, maxTiles, neighbour, validGrid } from './grids.js';
import { t } from './i18n.js';
import { bindKeys } from './keyboard.js';
import { createLayouts, roleAtLeast } from './layouts.js';
import { createPTZ } from './ptz.js';
import { createPager, pageCount, pageOf } from './pager.js';
import { createScreen } from './screen.js';
import { createTimeline } from './timeline.js';
import { toast } from './toast.js';
import { createToolbar } from './toolbar.js';
import { createTours } from './tours.js';
import { createTourRunner } from './tourrun.js';
import { createUndo } from './undo.js';
import { parseView, viewSearch } from './viewurl.js';
import { createWalls } from './walls.js';

/**
 * createLive({tree, stations, session, lookup, hooks}) where stations() and
 * session() read the app's current data and hooks are the screen's link and
 * health hooks. Returns {start(search), stop(), stationsChanged(), put(camera)}.
 */
export function createLive({ tree, stations, session, lookup, hooks }) {
  let source = { kind: '', id: '', grid: '', cameras: [], page: 0, pages: 0 };
  let running = false;

  const screen = createScreen($('#stage'), {
    interactive: true,
    lookup,
    hooks: {
      ...hooks,
      onSelect: (i) => select(i),
      onFocus: (i) => change({ focus: i }, { keepTours: true }),
      onClear: (i) => setTile(i, ''),
      onTour: (m) => tourRunner.message(m),
      onDropCamera: (i, id) => {
        setTile(i, id);
        select(i);
      },
      onSwap: (a, b) => swap(a, b),
      onTile: (m) => timeline.tileMessage(m),
      onPTZ: (m) => ptz.message(m),
    },
  });
  const view = screen.view;
  const grid = screen.grid;
  const timeline = createTimeline($('#timeline-slot'), { screen, session, stage: $('#stage') });
  const ptz = createPTZ({ screen, session }); // the pad on the selected dome's tile
  const tourRunner = createTourRunner({ screen, onStep: (key, cams) => tourStep(key, cams) });
  const undo = createUndo((snap) => restore(snap), () => running && !$('#live-view').hidden);

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
      source = { kind: 'layout', id: l.id, grid: l.grid, cameras: fit(l.cameras, gridCount(l.grid)), page: 0, pages: 0 };
      changed();
      if (l.station) hooks.refreshStations?.(); // it may be the station's new default
    },
  });
  const pager = createPager($('#grid-bar'), (delta) => turnPage(delta));
  createTours($('#walls-btn'), {
    session,
    current: () => ({ cameras: view.cameras.slice(0, gridCount(view.grid)) }),
    run: (tour, where) => runTour(tour, where),
    stopAll: () => tourRunner.stopAll(),
    running: () => tourRunner.running(),
  });
  createWalls($('#walls-btn'), { current: () => view });
  $('#clear-all').addEventListener('click', () => {
    change({ cameras: [], focus: -1 });
    toast(t('undo.cleared'));
  });
  bindKeys({
    select: (i) => {
      select(i);
      if (view.focus >= 0 && i < grid.count) change({ focus: i }, { keepTours: true });
    },
    move: (key) => select(neighbour(view.grid, grid.selected, key)),
    toggleFocus: () => change({ focus: view.focus >= 0 ? -1 : grid.selected }, { keepTours: true }),
    leave: () => view.focus >= 0 && change({ focus: -1 }, { keepTours: true }),
    clear: () => setTile(grid.selected, ''),
  }, () => running && !$('#live-view').hidden); // not while another view (admin) is shown

  function select(i) {
    grid.select(i);
    timeline.select(grid.selected);
    ptz.follow(grid.selected);
  }

  /**
   * A change of the dispatcher's: remembered for undo, and it ends the
   * tours on the tiles it changes (opts.tile; all of them when absent),
   * unless opts.keepTours (a change of focus only, which undo skips too).
   * opts.source is where the new view comes from (default: hand-made).
   */
  function change(next, opts = {}) {
    if (!opts.keepTours) {
      undo.remember({ grid: view.grid, cameras: [...view.cameras], focus: view.focus, source: { ...source } });
      if (opts.tile !== undefined) tourRunner.stopFor(opts.tile);
      else tourRunner.stopAll();
    }
    if (opts.source) source = opts.source;
    screen.show(next);
    tourRunner.focusChanged(view.focus);
    changed();
    ptz.follow(grid.selected);
  }

  /** Ctrl+Z: the view before the last change, where it came from too. */
  function restore(snap) {
    tourRunner.stopAll();
    source = snap.source;
    screen.show({ grid: snap.grid, cameras: snap.cameras, focus: snap.focus });
    tourRunner.focusChanged(view.focus);
    changed();
    toast(t('undo.done'));
  }

  /** A tour's step: its cameras on its tile, or on the grid's first tiles. */
  function tourStep(key, cams) {
    const cameras = [...view.cameras];
    if (key === 'grid') {
      const n = gridCount(view.grid);
      fit(cams, n).forEach((id, i) => { cameras[i] = id; });
    } else {
      cameras[key] = cams[0] || '';
    }
    screen.show({ cameras });
    changed();
  }

  function runTour(tour, where) {
    if (where === 'grid') {
      tourRunner.start('grid', tour, gridCount(view.grid));
    } else {
      tourRunner.start(grid.selected, tour);
    }
  }

  /** After every view change: URL, toolbar, tree marks. */
  function changed() {
    const n = gridCount(view.grid);
    const cams = view.cameras.slice(0, n);
    const same = source.kind && source.grid === view.grid && source.cameras.join() === fit(cams, n).join();
    const search = viewSearch({ source: same ? source : null, grid: view.grid, cameras: cams });
    if (search !== location.search) history.replaceState(null, '', location.pathname + search);
    const station = same && source.kind === 'station';
    toolbar.setActive({ station: station ? source.id : '', grid: view.grid });
    pager.set(station ? { page: source.page, pages: source.pages } : { page: 0, pages: 0 });
    tree.setActive(cams.filter(Boolean));
    timeline.changed();
  }

  function setTile(i, id) {
    if (i < 0 || i >= grid.count) return;
    const cameras = [...view.cameras];
    cameras[i] = id;
    change({ cameras, focus: id ? view.focus : -1 }, { tile: i });
  }

  function swap(a, b) {
    if (a === b) return;
    const cameras = [...view.cameras];
    [cameras[a], cameras[b]] = [cameras[b], cameras[a]];
    change({ cameras });
    select(b);
  }

  /**
   * A new grid. A station's page stays the station's: the new tiles are
   * filled with its next cameras, on the page holding the first camera shown.
   */
  function setGrid(name) {
    if (!validGrid(name)) return;
    if (source.kind === 'station' && showsSource()) {
      const first = source.page * gridCount(source.grid);
      openStation(source.id, name, Math.floor(first / gridCount(name)));
      return;
    }
    change({ grid: name, focus: -1 });
  }

  /** Whether the grid still shows what its source put there. */
  function showsSource() {
    const n = gridCount(view.grid);
    return source.grid === view.grid && source.cameras.join() === fit(view.cameras.slice(0, n), n).join();
  }

  /** A station's cameras in order: its default layout's, then its others. */
  function stationOrder(st) {
    const ids = [...(st.layout?.cameras || [])];
    for (const c of st.cameras || []) if (!ids.includes(c.id)) ids.push(c.id);
    return ids;
  }

  /** Opens page `page` of station id in grid wantGrid (default: the station's own grid). */
  function openStation(id, wantGrid = '', page = 0) {
    const st = stations().find((s) => s.id === id);
    if (!st) {
      toast(t('live.noStation', { id }), 'error');
      return;
    }
    const layout = st.layout; // the gateway resolves a saved station default into it
    const g = wantGrid || (validGrid(layout?.grid) ? layout.grid : gridFor((st.cameras || []).length));
    const ids = stationOrder(st);
    const n = gridCount(g);
    const pages = pageCount(ids.length, n);
    const p = Math.min(Math.max(page, 0), pages - 1);
    const cameras = fit(pageOf(ids, n, p), n);
    change({ grid: g, cameras, focus: -1 }, { source: { kind: 'station', id, grid: g, cameras, page: p, pages } });
    select(0);
  }

  function turnPage(delta) {
    if (source.kind === 'station') openStation(source.id, view.grid, source.page + delta);
  }

  function openLayout(l) {
    if (l.default && l.station) {
      openStation(l.station);
      return;
    }
    const g = validGrid(l.grid) ? l.grid : gridFor((l.cameras || []).length);
    const cameras = fit(l.cameras, gridCount(g));
    change({ grid: g, cameras, focus: -1 }, { source: { kind: 'layout', id: l.id, grid: g, cameras, page: 0, pages: 0 } });
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
        toast(t('live.layoutMissing', { message: errorText(err) }), 'error');
      }
    }
    if (want.cameras.length) {
      change({ grid: want.grid || gridFor(want.cameras.length), cameras: want.cameras, focus: -1 });
    } else if (want.station) {
      openStation(want.station, want.grid, want.page);
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
      undo.clear(); // nothing before the first view to go back to
    },
    /** Ends the media connection and empties the grid; the URL stays for the next start. */
    stop() {
      running = false;
      ptz.release();
      tourRunner.stopAll();
      undo.clear();
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
