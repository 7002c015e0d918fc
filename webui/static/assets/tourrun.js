// The tours running on this console: the gateway steps them (a "tour"
// message per step, PROTOCOL.md) and the console shows each step's cameras
// as if the dispatcher had put them there. A tour pauses while the pointer
// is on its tile (on the grid, for the grid's tour) or its tile is focused,
// and goes on where it was when the pointer leaves.

import { t } from './i18n.js';
import './i18n-console.js';
import { toast } from './toast.js';

/**
 * createTourRunner({screen, onStep(key, cameras)}) where key is a tile
 * number or "grid". → {start(key, tour, tiles), stop(key), stopAll(),
 * stopFor(i), running(), message(msg), focusChanged(i)}
 */
export function createTourRunner({ screen, onStep }) {
  const tours = new Map(); // key → {id, name, step, steps, paused}
  const hovered = new Set(); // tile numbers, and "grid"
  let focus = -1;
  const grid = screen.grid;

  grid.tiles.forEach((tile, i) => {
    tile.el.addEventListener('mouseenter', () => pointer(i, true));
    tile.el.addEventListener('mouseleave', () => pointer(i, false));
  });
  grid.el.addEventListener('mouseenter', () => pointer('grid', true));
  grid.el.addEventListener('mouseleave', () => pointer('grid', false));

  function pointer(key, on) {
    if (on) hovered.add(key);
    else hovered.delete(key);
    sync(key);
  }

  /** Tells the gateway whether tour key should be paused now. */
  function sync(key) {
    const tour = tours.get(key);
    if (!tour) return;
    const paused = hovered.has(key) || (key !== 'grid' && focus === key) || (key === 'grid' && focus >= 0);
    if (paused === tour.paused) return;
    tour.paused = paused;
    screen.signal.tourPause(key, paused);
    render();
  }

  function render() {
    grid.tiles.forEach((tile, i) => mark(tile.el, tours.get(i)));
    mark(grid.el, tours.get('grid'));
  }

  function mark(el, tour) {
    if (!tour) {
      delete el.dataset.tour;
      delete el.dataset.tourLabel;
      return;
    }
    el.dataset.tour = tour.paused ? 'paused' : 'running';
    el.dataset.tourLabel = `${tour.name} · ${t('tours.badge', { step: tour.step + 1, steps: tour.steps || 1 })}` +
      (tour.paused ? ` · ${t('tours.paused')}` : '');
  }

  function stop(key) {
    if (!tours.delete(key)) return;
    screen.signal.tour(key, '');
    render();
  }

  return {
    /** Runs tour ({id, name}) on key; a grid tour fills tiles tiles. */
    start(key, tour, tiles = 0) {
      if (key === 'grid') for (const k of [...tours.keys()]) stop(k);
      else stop('grid');
      tours.set(key, { id: tour.id, name: tour.name, step: 0, steps: 0, paused: false });
      screen.signal.tour(key, tour.id, tiles);
      render();
      toast(t('tours.started', { name: tour.name }));
      sync(key);
    },
    stop,
    stopAll() {
      for (const k of [...tours.keys()]) stop(k);
    },
    /** A hand-made change of tile i ends the tours that show on it. */
    stopFor(i) {
      stop(i);
      stop('grid');
    },
    running: () => tours.size > 0,
    /** A "tour" message of the gateway. */
    message(m) {
      const tour = tours.get(m.tile);
      if (!tour || (m.tour && m.tour !== tour.id)) return;
      if (m.state === 'stopped') {
        tours.delete(m.tile);
        if (m.reason) toast(t(`tours.${m.reason}`), 'error');
        render();
        return;
      }
      tour.step = m.step || 0;
      tour.steps = m.steps || tour.steps;
      render();
      if (Array.isArray(m.cameras)) onStep(m.tile, m.cameras);
    },
    /** The focused tile changed: its tour (and the grid's) pause while focused. */
    focusChanged(i) {
      const was = focus;
      focus = i;
      for (const k of new Set([was, i, 'grid'])) sync(k);
    },
  };
}
