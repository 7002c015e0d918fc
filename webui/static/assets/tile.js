// A video tile: one <video>, the camera's name and health over it, a message
// layer for connecting/retry/errors, and statistics on hover. The tile owns
// reconnection: exponential backoff with jitter on failures, no retry on
// 401/403/404. Its status is mirrored in data-status for styling and tests:
// idle, connecting, playing, retrying, error.

import { ApiError } from './api.js';
import { h } from './dom.js';
import { localName, onLangChange, stateText, t } from './i18n.js';
import { WhepSession } from './player.js';
import { cameraState } from './tree.js';

const statsEvery = 1000; // ms
const firstFrameTimeout = 15000; // ms from answer to first decoded frame
const stallTimeout = 8000; // ms without a new decoded frame
const maxBackoff = 15; // s

/** Seconds to wait before retry attempt n (1-based): 1, 2, 4, 8, 15, 15… ±20 %. */
export function backoff(attempt, random = Math.random) {
  const base = Math.min(maxBackoff, 2 ** (attempt - 1));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

export class Tile {
  /** @param {{onStop?: (tile: Tile) => void, emptyKey?: string}} hooks */
  constructor(hooks = {}) {
    this.hooks = hooks;
    this.emptyKey = hooks.emptyKey || 'player.empty';
    this.camera = null;
    this.station = null;
    this.session = null;
    this.attempt = 0;
    this.gen = 0;
    this.timer = 0;
    this.statsTimer = 0;
    this.message = null; // {key, vars}
    this.video = h('video', { autoplay: true, muted: true, playsInline: true, disablePictureInPicture: true });
    this.video.setAttribute('muted', '');
    this.video.setAttribute('playsinline', '');
    this.nameEl = h('span', { class: 'tile-name' });
    this.stationEl = h('span', { class: 'tile-station' });
    this.chip = h('span', { class: 'chip' });
    this.stopBtn = h('button', {
      type: 'button', class: 'tile-stop', on: { click: () => this.stopByUser() },
    }, '×');
    this.msgEl = h('div', { class: 'tile-msg', attrs: { role: 'status' } });
    this.statsEl = h('div', { class: 'tile-stats' });
    this.el = h('div', { class: 'tile', dataset: { status: 'idle' } },
      this.video,
      h('div', { class: 'tile-head' }, h('div', { class: 'tile-title' }, this.nameEl, this.stationEl), this.chip, this.stopBtn),
      this.msgEl,
      this.statsEl);
    this.unsubscribe = onLangChange(() => this.render());
    this.setStatus('idle', { key: this.emptyKey });
  }

  /** Starts playing camera (an /api/stations camera object) of station. */
  play(camera, station) {
    this.stop();
    this.camera = camera;
    this.station = station;
    this.attempt = 0;
    this.el.dataset.camera = camera.id;
    this.connect();
  }

  /** Refreshes the camera's health from a status poll. */
  updateCamera(camera, station) {
    if (!this.camera || !camera || camera.id !== this.camera.id) return;
    this.camera = camera;
    this.station = station || this.station;
    this.render();
  }

  async connect() {
    const gen = ++this.gen;
    this.closeSession();
    this.setStatus('connecting', { key: 'player.connecting' });
    if (typeof RTCPeerConnection === 'undefined') {
      this.setStatus('error', { key: 'player.unsupported' });
      return;
    }
    const session = new WhepSession(this.camera.id, this.video, {
      onFailure: (err) => gen === this.gen && this.fail(err),
    });
    this.session = session;
    try {
      await session.start();
    } catch (err) {
      if (gen === this.gen && err.name !== 'AbortError') this.fail(err);
      return;
    }
    if (gen !== this.gen) return;
    this.watchFrames(gen, session);
  }

  /** Polls statistics: marks playing on the first frame, detects stalls, fills the hover box. */
  watchFrames(gen, session) {
    let last = -1;
    let lastChange = performance.now();
    let lastBytes = -1; // no rate before the second sample
    let lastAt = performance.now();
    const tick = async () => {
      if (gen !== this.gen) return;
      let s;
      try {
        s = await session.stats();
      } catch {
        return;
      }
      if (gen !== this.gen) return;
      const now = performance.now();
      if (s.framesDecoded !== last) {
        if (s.framesDecoded > 0 && this.el.dataset.status !== 'playing') {
          this.attempt = 0;
          this.setStatus('playing', null);
        }
        last = s.framesDecoded;
        lastChange = now;
      }
      const kbps = lastBytes < 0 ? '–' : Math.round(((s.bytes - lastBytes) * 8) / Math.max(1, now - lastAt));
      lastBytes = s.bytes;
      lastAt = now;
      this.showStats(s, kbps);
      const limit = last > 0 ? stallTimeout : firstFrameTimeout;
      if (now - lastChange > limit) {
        this.fail(new Error(last > 0 ? 'stalled' : 'no video'), last > 0 ? 'player.stalled' : null);
        return;
      }
      this.statsTimer = setTimeout(tick, statsEvery);
    };
    this.statsTimer = setTimeout(tick, 200);
  }

  showStats(s, kbps) {
    if (!s.width) {
      this.statsEl.textContent = '';
      return;
    }
    const parts = [t('player.stats', { width: s.width, height: s.height, fps: Math.round(s.fps), kbps })];
    if (s.codec) parts.push(s.codec);
    if (s.lost > 0) parts.push(t('player.statsLost', { lost: s.lost }));
    this.statsEl.textContent = parts.join(' · ');
  }

  fail(err, key) {
    this.closeSession();
    if (err instanceof ApiError) {
      const final = { 401: 'player.unauthorized', 403: 'player.forbidden', 404: 'player.notFound' }[err.status];
      if (final) {
        this.setStatus('error', { key: final });
        return;
      }
    }
    this.attempt++;
    const seconds = backoff(this.attempt);
    const gen = ++this.gen;
    let left = seconds;
    const countdown = () => {
      if (gen !== this.gen) return;
      if (left <= 0) {
        this.connect();
        return;
      }
      this.setStatus('retrying', { key: key || 'player.retrying', vars: { seconds: left, attempt: this.attempt } });
      left--;
      this.timer = setTimeout(countdown, 1000);
    };
    countdown();
  }

  setStatus(status, message) {
    this.el.dataset.status = status;
    this.message = message;
    this.render();
  }

  render() {
    const cam = this.camera;
    this.nameEl.textContent = cam ? localName(cam) : '';
    this.stationEl.textContent = cam ? `${localName(this.station)} · ${cam.id}` : '';
    const state = cam ? cameraState(cam) : '';
    this.chip.hidden = !cam;
    this.stopBtn.hidden = !cam;
    this.stopBtn.title = t('player.stop');
    this.stopBtn.setAttribute('aria-label', t('player.stop'));
    this.chip.className = `chip chip-${state}`;
    this.chip.textContent = cam ? stateText(state, cam.reason) : '';
    this.msgEl.hidden = !this.message;
    this.msgEl.textContent = this.message ? t(this.message.key, this.message.vars) : '';
  }

  closeSession() {
    clearTimeout(this.timer);
    clearTimeout(this.statsTimer);
    this.session?.close();
    this.session = null;
    this.statsEl.textContent = '';
  }

  /** Stops playback and returns to the empty tile. */
  stop() {
    this.gen++;
    this.closeSession();
    this.camera = null;
    this.station = null;
    delete this.el.dataset.camera;
    this.setStatus('idle', { key: this.emptyKey });
  }

  stopByUser() {
    this.stop();
    this.hooks.onStop?.(this);
  }
}
