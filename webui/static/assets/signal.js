// The console's one media connection (DESIGN "Console WebSocket"): a
// WebSocket to /api/ws that negotiates ONE RTCPeerConnection with a recvonly
// video transceiver per tile and one recvonly audio transceiver, then
// switches cameras per tile with assign/clear messages and never
// renegotiates. The audio transceiver carries the sound of at most one tile
// at a time (audio/mute messages).
//
// The Signal owns what every tile should show (desired assignments, the
// tile whose sound is heard and the followed wall). When the WebSocket
// closes or the peer connection fails it tears both down, waits with
// backoff and starts over: a new offer, then every assignment (and the
// sound) again, so the screen restores itself without a reload.

import { getSession } from './api.js';

const iceGatheringCap = 2000; // ms; the gateway's host candidates come fast
const disconnectGrace = 3000; // ms a "disconnected" link may recover by itself
const connectTimeout = 15000; // ms from offer to a connected peer connection
const maxBackoff = 10; // s
const stableAfter = 5000; // ms connected before the backoff starts over
const sessionEnded = 4001; // close code: the session expired or was revoked
const draining = 4002; // close code: this gateway is stopping; reconnect, the load balancer picks another

/** Seconds to wait before reconnect attempt n (1-based): 1, 2, 4, 8, 10, 10… ±20 %. */
export function backoff(attempt, random = Math.random) {
  const base = Math.min(maxBackoff, 2 ** (attempt - 1));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

/** Resolves when ICE gathering completes or after ms, whichever is first. */
export function iceGathered(pc, ms = iceGatheringCap) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => pc.iceGatheringState === 'complete' && done();
    const timer = setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** Seconds to wait before reconnecting away from a draining gateway: 0.5–2 s, spread so consoles do not arrive at once. */
export function drainBackoff(random = Math.random) {
  return 0.5 + 1.5 * random();
}

/** The console WebSocket's URL on this origin. */
export function socketURL(loc = location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/ws`;
}

/**
 * new Signal({tiles, url, hooks}) with hooks (all optional):
 *   onPeer(tracks, audio) a new peer connection: tracks[i] feeds tile i, audio is the
 *                       sound track (both null when torn down)
 *   onStatus(s)         {state, attempt, seconds}: "connecting", "ready" (answered, tiles
 *                       assigned), "connected" (media flows), "reconnecting" (seconds to wait)
 *   onTile(msg), onAudio(msg), onCamera(msg), onLayout(msg), onClip(msg), onTour(msg), onAlarm(msg), onError(message)
 *   onUnauthorized()    the WebSocket is refused and the session is gone
 */
export class Signal {
  constructor({ tiles, url = socketURL(), hooks = {} }) {
    this.tiles = tiles;
    this.url = url;
    this.hooks = hooks;
    this.desired = new Map(); // tile → {camera, quality}
    this.wall = '';
    this.listening = -1; // the tile whose sound is heard, -1: muted
    this.tours = new Map(); // tile number or "grid" → {tour, tiles, step}: the tours the gateway runs
    this.gen = 0;
    this.attempt = 0;
    this.stopped = true;
    this.timers = new Set();
    this.reset();
  }

  reset() {
    this.ws = null;
    this.pc = null;
    this.ready = false; // the answer is applied: assignments may be sent
    this.offered = false;
    this.remoteCandidates = [];
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.teardown();
  }

  /** Puts camera on tile in quality; a repeat of the current assignment sends nothing. */
  assign(tile, camera, quality) {
    const cur = this.desired.get(tile);
    if (cur && cur.camera === camera && cur.quality === quality) return;
    this.desired.set(tile, { camera, quality });
    if (this.ready) this.send({ type: 'assign', tile, camera, quality });
  }

  /**
   * Restarts a tile whose picture stopped (the stall watchdog): clear, then
   * the same assignment, so the gateway starts it over from a keyframe. (A
   * repeated assign alone only repeats the tile's state.)
   */
  reassign(tile) {
    const cur = this.desired.get(tile);
    if (!cur || !this.ready) return;
    this.send({ type: 'clear', tile });
    this.send({ type: 'assign', tile, camera: cur.camera, quality: cur.quality });
  }

  clear(tile) {
    if (!this.desired.delete(tile)) return;
    if (this.ready) this.send({ type: 'clear', tile });
  }

  /** Hears tile's camera (the sound follows the tile when its camera changes). */
  listen(tile) {
    if (this.listening === tile) return;
    this.listening = tile;
    if (this.ready) this.send({ type: 'audio', tile });
  }

  /** Hears nothing. */
  mute() {
    if (this.listening < 0) return;
    this.listening = -1;
    if (this.ready) this.send({ type: 'mute' });
  }

  /** Follows a video wall: the gateway pushes its layout as "layout" messages. */
  follow(wall) {
    this.wall = wall;
    if (this.ready) this.send({ type: 'follow', wall });
  }

  /**
   * Runs tour on tile (a number, or "grid" for the grid's first tiles
   * tiles); tour "" stops it. The gateway steps it and tells each step as a
   * "tour" message; after a reconnect the tour goes on from its step.
   */
  tour(tile, tour, tiles = 0) {
    if (!tour && !this.tours.delete(tile)) return;
    if (tour) this.tours.set(tile, { tour, tiles, step: 0 });
    if (this.ready) this.send(tourMessage(tile, this.tours.get(tile) || { tour: '' }));
  }

  /** Pauses (or resumes) the tour of tile. */
  tourPause(tile, paused) {
    if (this.tours.has(tile) && this.ready) this.send({ type: 'tour_pause', tile, paused });
  }

  /** Remembers a tour's step, or forgets a stopped tour. */
  tourState(msg) {
    const cur = this.tours.get(msg.tile);
    if (!cur || (msg.tour && msg.tour !== cur.tour)) return;
    if (msg.state === 'stopped') this.tours.delete(msg.tile);
    else cur.step = msg.step || 0;
  }

  /** The receiving track of each tile of the current peer connection. */
  tracks() {
    return this.pc ? this.pc.getTransceivers().slice(0, this.tiles).map((t) => t.receiver.track) : [];
  }

  /** The receiving track of the sound transceiver (after the tiles'), or null. */
  audioTrack() {
    return this.pc?.getTransceivers()[this.tiles]?.receiver.track || null;
  }

  send(msg) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  later(fn, ms) {
    const id = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.add(id);
    return id;
  }

  cancel(id) {
    clearTimeout(id);
    this.timers.delete(id);
  }

  status(state, extra = {}) {
    this.hooks.onStatus?.({ state, attempt: this.attempt, ...extra });
  }

  connect() {
    if (this.stopped) return;
    const gen = ++this.gen;
    this.status('connecting');
    let opened = false;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.lost(err.message, true);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      if (gen === this.gen) this.negotiate(gen).catch((err) => gen === this.gen && this.lost(String(err?.message || err)));
    };
    ws.onmessage = (e) => gen === this.gen && this.receive(gen, e.data);
    // Refused before opening, or closed with 4001 (session ended): ask whether
    // the session still exists before the next attempt.
    // Closed with 4002 (the gateway drains): reconnect to the same URL soon.
    ws.onclose = (e) => gen === this.gen && (e.code === draining
      ? this.drained(e.reason || 'draining')
      : this.lost(opened ? `websocket closed (${e.code})` : 'websocket refused', !opened || e.code === sessionEnded));
  }

  async negotiate(gen) {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.pc = pc;
    for (let i = 0; i < this.tiles; i++) pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.onicecandidate = (e) => {
      if (e.candidate && this.offered && gen === this.gen) this.send({ type: 'candidate', candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => gen === this.gen && this.watch(gen);
    this.hooks.onPeer?.(this.tracks(), this.audioTrack());
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    if (gen !== this.gen) return;
    this.send({ type: 'offer', sdp: pc.localDescription.sdp });
    this.offered = true;
    this.connectTimer = this.later(() => gen === this.gen && this.lost('peer connection timeout'), connectTimeout);
  }

  async receive(gen, data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    const h = this.hooks;
    switch (msg?.type) {
      case 'answer':
        await this.answer(gen, msg.sdp);
        break;
      case 'candidate':
        this.remoteCandidate(msg.candidate);
        break;
      case 'tile': h.onTile?.(msg); break;
      case 'audio': h.onAudio?.(msg); break;
      case 'camera': h.onCamera?.(msg); break;
      case 'layout': h.onLayout?.(msg); break;
      case 'clip': h.onClip?.(msg); break;
      case 'ptz': h.onPTZ?.(msg); break;
      case 'tour':
        this.tourState(msg);
        h.onTour?.(msg);
        break;
      case 'alarm': h.onAlarm?.(msg); break;
      case 'error': h.onError?.(String(msg.message || '')); break;
      case 'reconnect': this.drained(String(msg.reason || 'draining')); break;
      default: break;
    }
  }

  async answer(gen, sdp) {
    const pc = this.pc;
    if (!pc || this.ready) return;
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (err) {
      if (gen === this.gen) this.lost(`bad answer: ${err.message}`);
      return;
    }
    if (gen !== this.gen) return;
    this.ready = true;
    for (const c of this.remoteCandidates.splice(0)) pc.addIceCandidate(c).catch(() => {});
    if (this.wall) this.send({ type: 'follow', wall: this.wall });
    for (const [tile, a] of this.desired) this.send({ type: 'assign', tile, camera: a.camera, quality: a.quality });
    if (this.listening >= 0) this.send({ type: 'audio', tile: this.listening });
    for (const [tile, tr] of this.tours) this.send(tourMessage(tile, tr));
    this.status('ready');
  }

  remoteCandidate(c) {
    if (!c || !this.pc) return;
    if (!this.ready) this.remoteCandidates.push(c);
    else this.pc.addIceCandidate(c).catch(() => { /* a stale or foreign candidate */ });
  }

  watch(gen) {
    const state = this.pc.connectionState;
    this.cancel(this.graceTimer);
    if (state === 'connected') {
      this.cancel(this.connectTimer);
      this.cancel(this.stableTimer);
      this.stableTimer = this.later(() => { this.attempt = 0; }, stableAfter);
      this.status('connected');
    } else if (state === 'failed' || state === 'closed') {
      this.lost(`peer connection ${state}`);
    } else if (state === 'disconnected') {
      this.graceTimer = this.later(() => gen === this.gen && this.lost('peer connection lost'), disconnectGrace);
    }
  }

  /** Ends the current connection and schedules the next attempt. */
  lost(reason, refused = false) {
    this.teardown();
    if (this.stopped) return;
    this.attempt++;
    // A link that was up is retried at once; a failing one backs off.
    const seconds = this.attempt === 1 ? 0.3 : backoff(this.attempt - 1);
    this.lastError = reason;
    this.status('reconnecting', { seconds, reason });
    if (refused) this.checkSession();
    this.later(() => this.connect(), Math.round(seconds * 1000));
  }

  /**
   * The gateway is draining (a reconnect message or close 4002): reconnect to the
   * same URL after a short spread-out wait; the attempt count is not raised, this
   * is no failure.
   */
  drained(reason) {
    this.teardown();
    if (this.stopped) return;
    const seconds = drainBackoff();
    this.lastError = `gateway ${reason}`;
    this.status('reconnecting', { seconds, reason: this.lastError });
    this.later(() => this.connect(), Math.round(seconds * 1000));
  }

  async checkSession() {
    try {
      if ((await getSession()) === null) this.hooks.onUnauthorized?.();
    } catch { /* the gateway is unreachable: keep retrying */ }
  }

  teardown() {
    this.gen++;
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
    const { ws, pc } = this;
    this.reset();
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      if (ws.readyState <= WebSocket.OPEN) ws.close();
    }
    if (pc) {
      pc.onicecandidate = pc.onconnectionstatechange = null;
      pc.close();
      this.hooks.onPeer?.(null, null);
    }
  }
}

/** The "tour" message that starts (or, with tour "", stops) a tour. */
function tourMessage(tile, { tour, tiles, step }) {
  const msg = { type: 'tour', tile, tour };
  if (tour && tile === 'grid') msg.tiles = tiles;
  if (tour && step) msg.step = step;
  return msg;
}
