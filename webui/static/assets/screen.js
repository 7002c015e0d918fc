// A screen: the tile grid and the one Signal (WebSocket + peer connection)
// that feeds it, kept in step. The console and the wall kiosk both show one.
//
// The owner sets a view {grid, cameras, focus}; the screen puts each camera
// on its tile in the right quality, applies the gateway's tile messages,
// shows per-tile statistics and restarts a tile whose picture stopped. On an
// interactive screen the focused tile (or the one tile of grid "1") offers
// its sound; the sound is muted when the tile leaves the focus.

import { createGrid } from './grid.js';
import { defaultGrid, fit, gridCount, maxTiles, qualityFor } from './grids.js';
import { onLangChange } from './i18n.js';
import { Signal } from './signal.js';
import { createSound } from './sound.js';
import { watchStats } from './stats.js';

const stallAfter = 5000; // ms without a decoded frame before a tile asks again

/**
 * createScreen(container, {interactive, lookup, hooks}):
 *   lookup(id) → {camera, station} or null (names for the overlays)
 *   hooks: gesture hooks of the grid (onSelect, onFocus, …) and
 *     onLink(status), onCamera(msg), onLayout(msg), onError(message), onUnauthorized(), onPTZ(msg),
 *     onTile(msg) (every tile message of a shown camera, before the tile applies it)
 */
export function createScreen(container, { interactive = true, lookup, hooks = {} }) {
  const grid = createGrid(container, { interactive, hooks: { ...hooks, onSound: (i) => sound.toggle(i) } });
  const view = { grid: defaultGrid, cameras: fit([], maxTiles), focus: -1 };
  const watch = [];
  let linkUp = false;

  const signal = new Signal({
    tiles: maxTiles,
    hooks: {
      onPeer: (tracks, audio) => {
        grid.bind(tracks);
        sound.bind(audio);
      },
      onStatus: status,
      onTile: tileMessage,
      onAudio: (m) => sound.message(m),
      onCamera: (m) => hooks.onCamera?.(m),
      onLayout: (m) => hooks.onLayout?.(m),
      onClip: (m) => hooks.onClip?.(m),
      onPTZ: (m) => hooks.onPTZ?.(m),
      onTour: (m) => hooks.onTour?.(m),
      onAlarm: (m) => hooks.onAlarm?.(m),
      onError: (m) => hooks.onError?.(m),
      onUnauthorized: () => hooks.onUnauthorized?.(),
    },
  });
  const sound = createSound(container, { signal, tiles: grid.tiles });

  function status(s) {
    linkUp = s.state === 'connected' || s.state === 'ready';
    if (s.state === 'reconnecting') {
      eachShown((tile) => tile.setState('reconnecting'));
      sound.interrupted();
    }
    if (s.state === 'ready') eachShown((tile) => tile.state === 'reconnecting' && tile.setState('waiting'));
    hooks.onLink?.(s);
  }

  function eachShown(fn) {
    grid.tiles.forEach((tile, i) => tile.camera && fn(tile, i));
  }

  function tileMessage(m) {
    const tile = grid.tiles[m.tile];
    if (!tile) return;
    // A message about an earlier assignment of the tile is stale.
    if (!tile.camera || (m.camera || '') !== tile.camera.id) return;
    hooks.onTile?.(m); // playback's mode, time and speed (timeline.js)
    if (m.state === 'no_recording') return; // a play found nothing: the tile keeps what it shows
    tile.setState(m.state, m.reason, m);
    watch[m.tile] = null;
  }

  function sample(i, r) {
    const tile = grid.tiles[i];
    if (!tile.camera) return;
    const now = performance.now();
    const w = (watch[i] ??= { frames: r.frames, at: now });
    if (r.frames !== w.frames) {
      w.frames = r.frames;
      w.at = now;
      if (tile.state === 'stalled') tile.setState('playing');
    } else if ((tile.state === 'playing' || tile.state === 'stalled') && linkUp && now - w.at > stallAfter) {
      tile.setState('stalled');
      signal.reassign(i);
      w.at = now;
    }
    tile.setStats(tile.state === 'playing' ? r : null);
    health(tile, w, r);
  }

  /**
   * Health at a glance: the tile is marked (data-health="off", a small
   * amber dot) while its frame rate is under half, or its bit rate under
   * a third, of what the camera has been doing on this tile (a slow
   * average kept while it is fine, from the tenth sample on).
   */
  function health(tile, w, r) {
    const playing = tile.state === 'playing' && r.kbps >= 0;
    const n = w.samples || 0;
    const off = playing && n >= 10 && (r.fps < 0.5 * w.fpsNorm || r.kbps < 0.33 * w.kbpsNorm);
    if (playing && !off) {
      const k = 1 / Math.min(n + 1, 30);
      w.fpsNorm = n ? w.fpsNorm + (r.fps - w.fpsNorm) * k : r.fps;
      w.kbpsNorm = n ? w.kbpsNorm + (r.kbps - w.kbpsNorm) * k : r.kbps;
      w.samples = n + 1;
    }
    tile.el.dataset.health = off ? 'off' : 'ok';
  }

  /** Brings the grid and the gateway's tiles in line with the view. */
  function apply() {
    grid.layout(view.grid);
    grid.focus(view.focus);
    const n = gridCount(view.grid);
    for (let i = 0; i < maxTiles; i++) {
      const id = i < n ? view.cameras[i] : '';
      const tile = grid.tiles[i];
      if (!id) {
        tile.setCamera(null, null);
        signal.clear(i);
        continue;
      }
      const found = lookup(id);
      tile.setCamera(found?.camera || { id }, found?.station || null);
      signal.assign(i, id, qualityFor(view.grid, i, view.focus === i));
    }
    grid.tiles.forEach((tile, i) => tile.setSpeakable(speakable(i)));
    if (sound.heard >= 0 && !speakable(sound.heard)) sound.mute();
  }

  /** Whether tile i may be heard: shown large on an interactive screen. */
  function speakable(i) {
    if (!interactive || !view.cameras[i] || i >= gridCount(view.grid)) return false;
    return view.focus === i || (view.grid === '1' && i === 0);
  }

  onLangChange(() => grid.tiles.forEach((tile) => tile.render()));
  const stopStats = watchStats(() => signal.pc, () => signal.tracks(), sample);

  return {
    grid,
    signal,
    view,
    /** Sets the view ({grid, cameras, focus}, any subset) and applies it. */
    show(next) {
      if (next.grid) view.grid = next.grid;
      if (next.cameras) view.cameras = fit(next.cameras, maxTiles);
      if (next.focus !== undefined) view.focus = next.focus;
      if (view.focus >= gridCount(view.grid)) view.focus = -1;
      apply();
    },
    /** Re-reads camera names and states after a stations update. */
    refresh: apply,
    start: () => signal.start(),
    stop() {
      sound.mute();
      signal.stop();
      grid.bind(null);
    },
    close() {
      this.stop();
      stopStats();
    },
  };
}
