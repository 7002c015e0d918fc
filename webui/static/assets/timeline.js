// Playback on the selected tile: a panel under the grid with the tile's
// timeline (timebar.js), the transport (live, ±1 min, ±10 s, play/pause,
// frame step, speed 1/8×–16×), a clock showing the recorded wall time of
// the frame on screen (from the gateway's tile reports), link (one
// timeline drives every tile of the grid), mark in/out → the export
// dialog, a bookmark, a snapshot and how much evidence is locked. The
// tile plays on its own transceiver: play, pause, step, live and link are
// console WebSocket messages (PROTOCOL.md "Playback"), never a new player.
//
// Keys (not while typing or in a dialog): Space play/pause, ←/→ −/+10 s
// (Shift: 1 min) while the tile plays back, [ ] slower/faster, Home the
// start of the recording in view, End live.

import { downloadSnapshot, getLockedBytes, getRecordings, openBookmarkDialog, sizeText } from './bookmarks.js';
import { h } from './dom.js';
import { openExportDialog } from './exportdialog.js';
import { t } from './i18n.js';
import { typing } from './keyboard.js';
import { roleAtLeast } from './layouts.js';
import { menuOpen } from './menu.js';
import { createTimebar } from './timebar.js';
import { createControls } from './timectl.js';
import { toast } from './toast.js';
import { shownTime, spanAt, stepSpeed, stepZoom, windowAround, zooms } from './timescale.js';

const refreshEvery = 10000; // ms between reloads of the spans in view
const pauseLiveBack = 2000; // ms: pausing live shows the recording from this far back
const speedAnswerWithin = 5000; // ms: a speed asked for and not reported by then is the gateway's to set

/**
 * createTimeline(container, {screen, session, stage}) → {select(i),
 * tileMessage(m), changed(), timeOf(i), stop()}; stage holds the tiles
 * whose snapshot buttons it answers.
 */
export function createTimeline(container, { screen, session, stage }) {
  const st = {
    tile: 0, zoom: zooms[1], window: windowAround(Date.now(), zooms[1]), reports: [], linked: false,
    markIn: NaN, markOut: NaN, speed: 1, speedAsked: NaN, scrub: NaN, data: { camera: '', spans: [], bookmarks: [] }, locked: 0,
  };
  const panel = h('section', { id: 'timeline', class: 'timeline', attrs: { 'aria-label': t('timeline.label') } });
  container.append(panel);
  const ctl = createControls(panel, {
    live: () => live(), play: () => togglePause(), step: () => send({ type: 'step', tile: st.tile }),
    jump: (ms) => jump(ms), speed: (s) => setSpeed(s), link: () => toggleLink(),
    markIn: () => mark('in'), markOut: () => mark('out'), export: () => exportRange(), bookmark: () => bookmark(),
    zoom: (dir) => zoom(dir, shownAt()), nearest: (tt) => playFrom(tt),
  });
  const bar = createTimebar(panel, {
    onSeek: (tt) => playFrom(tt),
    onScrub: (tt) => { st.scrub = tt; },
    onZoom: (dir, tt) => zoom(dir, tt),
  });
  let loadAbort = null;
  let frame = 0;
  const timer = setInterval(() => { load(); loadLocked(); }, refreshEvery);

  const tile = () => screen.grid.tiles[st.tile];
  const camera = () => tile()?.camera || null;
  const report = () => st.reports[st.tile] || null;
  const playing = () => report()?.mode === 'playback';
  const send = (m) => screen.signal.send(m);
  /** The time the timeline stands at: the scrub, the frame on screen, or now (live). */
  const shownAt = () => (Number.isFinite(st.scrub) ? st.scrub : playing() ? shownTime(report()) : Date.now());

  function playFrom(tt) {
    const cam = camera();
    if (!cam || !Number.isFinite(tt)) return;
    const start = Math.min(tt, Date.now() - 1000);
    send({ type: 'play', tile: st.tile, camera: cam.id, start: new Date(Math.floor(start)).toISOString(), speed: st.speed });
    ctl.message('');
  }

  function togglePause() {
    const r = report();
    if (!camera()) return;
    if (!playing()) {
      playFrom(Date.now() - pauseLiveBack);
      send({ type: 'pause', tile: st.tile });
    } else if (r.paused) send({ type: 'play', tile: st.tile });
    else send({ type: 'pause', tile: st.tile });
  }

  function jump(ms) {
    playFrom(shownAt() + ms);
  }

  function setSpeed(s) {
    st.speed = s;
    ctl.speed(s);
    if (!playing()) return;
    st.speedAsked = performance.now();
    send({ type: 'play', tile: st.tile, speed: s });
  }

  /**
   * Whether a report's speed is the tile's: the gateway's word wins, except
   * over a speed this console asked for that it has not reported yet. Its
   * once-a-second report crosses the request on the wire, and taking the
   * old speed from it made "]]" (1× → 4×) end at 2×.
   */
  function adoptsSpeed(r) {
    if (r.speed === st.speed) {
      st.speedAsked = NaN;
      return false;
    }
    return !(performance.now() - st.speedAsked < speedAnswerWithin);
  }

  function live() {
    send({ type: 'live', tile: st.tile });
    ctl.message('');
  }

  function toggleLink() {
    st.linked = !st.linked;
    const tiles = [];
    if (st.linked) screen.grid.tiles.forEach((tl, i) => { if (tl.camera && !tl.el.hidden) tiles.push(i); });
    send({ type: 'link', tiles });
    ctl.linked(st.linked, tiles.length);
  }

  function mark(which) {
    const tt = Math.floor(shownAt());
    if (which === 'in') {
      st.markIn = tt;
      if (!(st.markOut > tt)) st.markOut = NaN;
    } else {
      st.markOut = tt;
      if (!(st.markIn < tt)) st.markIn = tt - 10000;
      exportRange();
    }
    draw();
  }

  function exportRange() {
    const cam = camera();
    if (!cam || !roleAtLeast(session()?.role, 'dispatcher')) return;
    const range = Number.isFinite(st.markIn) && st.markOut > st.markIn ? { from: st.markIn, to: st.markOut } : null;
    openExportDialog({ id: cam.id, name: tile().nameEl.textContent }, range);
  }

  function bookmark() {
    const cam = camera();
    if (!cam) return;
    const from = Number.isFinite(st.markIn) ? st.markIn : Math.floor(shownAt());
    const to = st.markOut > from ? st.markOut : from;
    openBookmarkDialog({ id: cam.id, name: tile().nameEl.textContent }, from, to, {
      canLock: roleAtLeast(session()?.role, 'operator'),
      onSaved: () => { load(); loadLocked(); },
    });
  }

  function zoom(dir, around) {
    st.zoom = stepZoom(st.zoom, dir);
    st.window = windowAround(Number.isFinite(around) ? around : shownAt(), st.zoom);
    ctl.zoom(st.zoom);
    load();
  }

  /** Loads the spans and bookmarks of the tile's camera in view. */
  async function load() {
    const cam = camera();
    loadAbort?.abort();
    if (!cam) {
      st.data = { camera: '', spans: [], bookmarks: [] };
      draw();
      return;
    }
    const ctrl = new AbortController();
    loadAbort = ctrl;
    const { from, to } = st.window;
    try {
      const got = await getRecordings(cam.id, from, Math.min(to, Date.now() + 60000), ctrl.signal);
      if (ctrl.signal.aborted) return;
      st.data = { camera: cam.id, ...got };
      draw();
    } catch (err) {
      if (err.name !== 'AbortError') st.data = { camera: cam.id, spans: [], bookmarks: [] };
    }
  }

  async function loadLocked() {
    if (!roleAtLeast(session()?.role, 'viewer')) return;
    try {
      st.locked = await getLockedBytes();
      ctl.locked(st.locked ? t('timeline.locked', { size: sizeText(st.locked) }) : '');
    } catch { /* the panel keeps the last figure */ }
  }

  function draw() {
    bar.draw({ window: st.window, spans: st.data.spans, bookmarks: st.data.bookmarks, markIn: st.markIn, markOut: st.markOut });
  }

  /** Each animation frame: the clock and the playhead; the window follows the playhead. */
  function tick() {
    frame = requestAnimationFrame(tick);
    const at = shownAt();
    const w = st.window;
    const margin = (w.to - w.from) / 20;
    if (!Number.isFinite(st.scrub) && Number.isFinite(at) && (at < w.from + margin || at > w.to - margin)) {
      st.window = windowAround(at, st.zoom);
      load();
    }
    bar.head(at);
    const r = report();
    ctl.clock(at, playing(), r);
  }

  /** A "tile" message of the gateway: the tile's mode, time, speed. */
  function tileMessage(m) {
    const prev = st.reports[m.tile];
    const r = { mode: m.mode || 'live', at: performance.now(), speed: m.speed || 1, paused: m.paused === true,
      ended: m.ended === true, edge: m.edge === true, time: m.time ? Date.parse(m.time) : prev?.time ?? NaN };
    if (m.state === 'no_recording') {
      if (m.tile === st.tile) ctl.message(t('timeline.noRecording'), m.nearest ? Date.parse(m.nearest) : NaN);
      return;
    }
    st.reports[m.tile] = r;
    const tl = screen.grid.tiles[m.tile];
    if (tl) tl.el.dataset.mode = r.mode;
    if (m.tile === st.tile && r.mode === 'playback' && m.speed && adoptsSpeed(r)) {
      st.speed = r.speed;
      ctl.speed(r.speed);
    }
  }

  function select(i) {
    if (i === st.tile && st.data.camera === (camera()?.id || '')) return;
    st.tile = i;
    st.markIn = st.markOut = st.speedAsked = NaN;
    ctl.message('');
    st.window = windowAround(shownAt(), st.zoom);
    load();
  }

  const onKey = (e) => {
    if (panel.hidden || !panel.isConnected || typing(e) || menuOpen() || document.querySelector('dialog[open]')) return;
    if (e.ctrlKey || e.metaKey || e.altKey || !camera()) return;
    const k = e.key;
    if (k === ' ' && e.target.closest?.('button, a')) return; // Space presses the focused button
    if (k === ' ') togglePause();
    else if (k === '[' || k === ']') setSpeed(stepSpeed(st.speed, k === '[' ? -1 : 1));
    else if (k === 'End') live();
    else if (k === 'Home') playFrom(spanAt(st.data.spans, st.window.from)?.from ?? st.window.from);
    else if ((k === 'ArrowLeft' || k === 'ArrowRight') && playing()) jump((k === 'ArrowLeft' ? -1 : 1) * (e.shiftKey ? 60000 : 10000));
    else return;
    e.preventDefault();
    e.stopImmediatePropagation(); // the grid's arrow keys move the selection only when live
  };
  document.addEventListener('keydown', onKey, true);

  /** A tile's snapshot button: a JPEG of what it shows, live or the frame played back. */
  const onSnapshot = async (e) => {
    const btn = e.target.closest?.('[data-action="snapshot"]');
    if (!btn) return;
    e.stopPropagation();
    const i = Number(btn.closest('.tile')?.dataset.tile);
    const cam = screen.grid.tiles[i]?.camera;
    if (!cam) return;
    try {
      toast(t('snapshot.saved', { name: await downloadSnapshot(cam.id, timeOf(i)) }));
    } catch (err) {
      toast(t('snapshot.failed', { message: err.message || '' }), 'error');
    }
  };
  stage.addEventListener('click', onSnapshot);
  const timeOf = (i) => (st.reports[i]?.mode === 'playback' ? shownTime(st.reports[i]) : undefined);

  ctl.speed(st.speed);
  ctl.zoom(st.zoom);
  frame = requestAnimationFrame(tick);
  loadLocked();
  load();

  return {
    select,
    tileMessage,
    /** The tiles' cameras changed (assign, clear, grid): reload what is shown. */
    changed: () => select(st.tile),
    /** The time tile i shows (ms): the frame on screen in playback, undefined when live. */
    timeOf,
    stop() {
      stage.removeEventListener('click', onSnapshot);
      clearInterval(timer);
      cancelAnimationFrame(frame);
      document.removeEventListener('keydown', onKey, true);
      loadAbort?.abort();
      panel.remove();
    },
  };
}
