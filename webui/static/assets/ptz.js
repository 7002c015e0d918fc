// PTZ of a dome camera, on its tile: the selected tile of a camera with PTZ
// shows a pad (hold a direction to move, release to stop; a speed), zoom
// buttons, and the presets (go to, save, delete). While the pad is open,
// dragging on the picture pans and tilts towards the drag, the wheel zooms,
// and Shift+arrows / Shift+PageUp/PageDown move the dome.
//
// Commands go over the console WebSocket ({"type":"ptz"}, PROTOCOL.md). The
// gateway stops a move that is not repeated within 1 s, so a held direction
// is repeated every 300 ms; a released one sends stop at once. When someone
// else holds the dome, the tile says who (data-ptz-lock).

import { request } from './api.js';
import { h } from './dom.js';
import { onLangChange, t } from './i18n.js';
import { roleAtLeast } from './layouts.js';
import { toast } from './toast.js';

const repeatEvery = 300; // ms between repeats of a held move (the gateway stops after 1 s)
const dirs = [
  ['↖', -1, 1], ['↑', 0, 1], ['↗', 1, 1],
  ['←', -1, 0], ['■', 0, 0], ['→', 1, 0],
  ['↙', -1, -1], ['↓', 0, -1], ['↘', 1, -1],
];
const arrowKeys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };

/** GET /api/cameras/{id}/ptz: {ptz, presets, holder}. */
async function ptzState(camera) {
  const res = await request('GET', `/api/cameras/${encodeURIComponent(camera)}/ptz`);
  return res.json();
}

/**
 * createPTZ({screen, session}) → {follow(tileIndex), message(msg)}.
 * follow shows the pad on the tile when its camera has PTZ and the user's
 * role may move domes; message takes the gateway's "ptz" answers.
 */
export function createPTZ({ screen, session }) {
  let tile = null; // the Tile the pad is on
  let camera = '';
  let held = null; // {pan, tilt, zoom} while a direction is held
  let timer = 0;
  const panel = buildPanel();

  function send(op, extra = {}) {
    screen.signal.send({ type: 'ptz', camera, op, ...extra });
  }

  function hold(pan, tilt, zoom) {
    const speed = Number(panel.speed.value);
    held = { pan: round(pan * speed), tilt: round(tilt * speed), zoom: round(zoom * speed) };
    if (!held.pan && !held.tilt && !held.zoom) {
      release();
      return;
    }
    send('move', held);
    clearInterval(timer);
    timer = setInterval(() => held && send('move', held), repeatEvery);
    panel.el.dataset.moving = 'true';
  }

  function release() {
    clearInterval(timer);
    timer = 0;
    if (held) send('stop');
    held = null;
    delete panel.el.dataset.moving;
  }

  function buildPanel() {
    const pad = h('div', { class: 'ptz-pad', attrs: { role: 'group' } },
      dirs.map(([label, pan, tilt]) => holdButton(label, pan, tilt, 0, `ptz-${pan}-${tilt}`)));
    const zoom = h('div', { class: 'ptz-zoom' },
      holdButton('+', 0, 0, 1, 'ptz-zoom-in'), holdButton('−', 0, 0, -1, 'ptz-zoom-out'));
    const speed = h('input', { type: 'range', min: '0.1', max: '1', step: '0.1', value: '0.5', class: 'ptz-speed' });
    const presets = h('select', { class: 'ptz-presets' });
    const name = h('input', { class: 'ptz-name', maxLength: 64, spellcheck: false });
    const lock = h('div', { class: 'ptz-lock', attrs: { role: 'status' }, hidden: true });
    const btn = (key, action) => h('button', { type: 'button', class: 'btn ptz-btn', dataset: { ptzAction: action } }, t(key));
    const go = btn('ptz.goto', 'goto');
    const del = btn('ptz.delete', 'delete');
    const save = btn('ptz.save', 'save');
    const el = h('div', { class: 'ptz-panel', dataset: { ptz: 'panel' } },
      h('div', { class: 'ptz-row' }, pad, zoom),
      h('label', { class: 'ptz-speed-label' }, h('span', {}, t('ptz.speed')), speed),
      h('div', { class: 'ptz-row' }, presets, go, del),
      h('div', { class: 'ptz-row' }, name, save),
      lock);
    el.addEventListener('click', (e) => {
      e.stopPropagation(); // the grid would take it as a tile click
      const action = e.target.closest('[data-ptz-action]')?.dataset.ptzAction;
      if (action) presetAction(action);
    });
    el.addEventListener('dblclick', (e) => e.stopPropagation());
    el.addEventListener('dragstart', (e) => e.preventDefault());
    return { el, speed, presets, name, lock, labels: { go, del, save } };
  }

  function holdButton(label, pan, tilt, zoom, key) {
    const b = h('button', { type: 'button', class: 'ptz-dir', dataset: { ptzDir: key } }, label);
    b.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      b.setPointerCapture?.(e.pointerId);
      hold(pan, tilt, zoom);
    });
    for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture']) b.addEventListener(ev, release);
    return b;
  }

  function presetAction(action) {
    if (action === 'save') {
      const n = panel.name.value.trim();
      if (n) send('save', { name: n });
      return;
    }
    const token = panel.presets.value;
    if (!token) return;
    send(action, { preset: token });
  }

  async function loadPresets() {
    const want = camera;
    try {
      const st = await ptzState(want);
      if (want !== camera) return;
      fillPresets(st.presets || []);
      showLock(st.holder && st.holder.user !== session().user ? st.holder : null);
    } catch (err) {
      toast(t('ptz.failed', { message: err.message }), 'error');
    }
  }

  function fillPresets(list) {
    panel.presets.replaceChildren(...list.map((p) => h('option', { value: p.token }, p.name || p.token)));
  }

  function showLock(holder) {
    panel.lock.hidden = !holder;
    if (holder) {
      panel.lock.textContent = t('ptz.locked', { user: holder.user, role: t(`role.${holder.role}`) });
      panel.el.dataset.ptzLock = holder.user;
    } else {
      delete panel.el.dataset.ptzLock;
    }
  }

  function detach() {
    release();
    if (tile) {
      tile.el.classList.remove('ptz-on');
      tile.el.draggable = true;
      unbindPicture(tile);
    }
    panel.el.remove();
    tile = null;
    camera = '';
  }

  async function follow(i) {
    const next = screen.grid.tiles[i];
    const id = next?.camera?.id || '';
    if (next === tile && id === camera) return;
    detach();
    if (!id || !roleAtLeast(session()?.role, 'dispatcher')) return;
    let st;
    try {
      st = await ptzState(id);
    } catch {
      return; // no pad for a camera whose device does not answer
    }
    if (!st.ptz || next.camera?.id !== id || screen.grid.selected !== i) return;
    tile = next;
    camera = id;
    tile.el.append(panel.el);
    tile.el.classList.add('ptz-on');
    tile.el.draggable = false; // drags on the picture pan the dome
    bindPicture(tile);
    fillPresets(st.presets || []);
    showLock(st.holder && st.holder.user !== session().user ? st.holder : null);
  }

  // Drag on the picture: the velocity points from where the drag started
  // to the pointer, at most the speed setting. The wheel zooms for a moment.
  function bindPicture(tl) {
    let start = null;
    let wheelStop = 0;
    tl.ptzHandlers = {
      pointerdown: (e) => {
        if (e.target !== tl.video && !e.target.classList.contains('tile')) return;
        start = { x: e.clientX, y: e.clientY };
        tl.el.setPointerCapture?.(e.pointerId);
      },
      pointermove: (e) => {
        if (!start) return;
        const r = tl.el.getBoundingClientRect();
        const dx = clamp((e.clientX - start.x) / (r.width / 4));
        const dy = clamp((start.y - e.clientY) / (r.height / 4));
        if (Math.abs(dx) + Math.abs(dy) > 0.05) hold(dx, dy, 0);
      },
      pointerup: () => {
        start = null;
        release();
      },
      wheel: (e) => {
        e.preventDefault();
        hold(0, 0, e.deltaY < 0 ? 1 : -1);
        clearTimeout(wheelStop);
        wheelStop = setTimeout(release, 400);
      },
    };
    tl.ptzHandlers.pointercancel = tl.ptzHandlers.pointerup;
    for (const [ev, fn] of Object.entries(tl.ptzHandlers)) tl.el.addEventListener(ev, fn, { passive: ev !== 'wheel' });
  }

  function unbindPicture(tl) {
    for (const [ev, fn] of Object.entries(tl.ptzHandlers || {})) tl.el.removeEventListener(ev, fn);
    tl.ptzHandlers = null;
  }

  document.addEventListener('keydown', (e) => {
    if (!tile || !e.shiftKey || e.target.closest?.('input, textarea, select')) return;
    const d = arrowKeys[e.key];
    const z = e.key === 'PageUp' ? 1 : e.key === 'PageDown' ? -1 : 0;
    if (!d && !z) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (!e.repeat) hold(d?.[0] || 0, d?.[1] || 0, z);
  }, true);
  document.addEventListener('keyup', (e) => {
    if (tile && held && (arrowKeys[e.key] || e.key === 'PageUp' || e.key === 'PageDown' || e.key === 'Shift')) release();
  }, true);
  window.addEventListener('blur', release);
  onLangChange(() => {
    panel.labels.go.textContent = t('ptz.goto');
    panel.labels.del.textContent = t('ptz.delete');
    panel.labels.save.textContent = t('ptz.save');
    panel.el.querySelector('.ptz-speed-label span').textContent = t('ptz.speed');
    panel.name.placeholder = t('ptz.name');
  });
  panel.name.placeholder = t('ptz.name');

  function message(m) {
    if (m.camera !== camera) return;
    if (m.ok) {
      showLock(null);
      if (m.op === 'save' || m.op === 'delete') {
        if (m.op === 'save') panel.name.value = '';
        loadPresets();
      }
      return;
    }
    if (m.code === 'locked') {
      release();
      showLock(m.holder);
      return;
    }
    if (m.code !== 'rate') toast(t('ptz.failed', { message: m.error || m.code }), 'error');
  }

  return { follow, message, release: detach };
}

function clamp(v) {
  return Math.max(-1, Math.min(1, v));
}

function round(v) {
  return Math.round(v * 100) / 100;
}
