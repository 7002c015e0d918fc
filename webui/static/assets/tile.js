// One grid tile: a <video> fed by its transceiver's track, the camera's name
// and state over it, a message for anything but live video, statistics and
// the codec path on hover, and a speaker button when it may be heard. A tile
// only shows; the grid, the Signal and the sound decide what it plays.
//
// data-state (for styling and tests):
//   empty        no camera
//   waiting      the gateway is switching the tile to the camera
//   playing      live video
//   offline      the camera is down (the reason shows; it comes back by itself)
//   denied       the user may not view the camera
//   stalled      no new frame for a while; the tile asked again
//   reconnecting the console's media connection is down and being restored
// data-camera is the camera the tile should show; data-reason why it is
// offline; data-sound what it is heard as: off, waiting, playing, no_audio,
// offline or blocked (the browser refused to play: click again).

import { codecPath } from './codecs.js';
import { renderRecordingBadge } from './recording.js';
import { h } from './dom.js';
import { localName, reasonText, t } from './i18n.js';

const messageKeys = {
  empty: 'tile.empty',
  waiting: 'tile.waiting',
  offline: 'tile.offline',
  denied: 'tile.denied',
  stalled: 'tile.stalled',
  reconnecting: 'tile.reconnecting',
  unknown: 'tile.unknown',
};

const soundKeys = { waiting: 'sound.waiting', no_audio: 'sound.no_audio', blocked: 'sound.blocked' };

// Offline reasons that no waiting cures: the message and chip say so.
const unplayable = new Set(['needs_ffmpeg', 'unsupported_codec']);

export class Tile {
  constructor(index) {
    this.index = index;
    this.camera = null; // {id, name, name_en, …} from /api/stations, or a stub {id}
    this.station = null;
    this.state = 'empty';
    this.reason = '';
    this.shownCamera = ''; // the camera whose picture the video last showed
    this.media = {}; // {codec, sent, transcoded} of the gateway's last "playing"
    this.hasAudio = false; // the gateway says the camera has sound
    this.speakable = false; // focused (or alone): the speaker button may show
    this.sound = null; // heard: {state, reason, codec, sent, transcoded, blocked}
    this.rates = null;
    this.video = h('video', { autoplay: true, muted: true, playsInline: true, disablePictureInPicture: true });
    this.video.setAttribute('muted', '');
    this.video.setAttribute('playsinline', '');
    this.numEl = h('span', { class: 'tile-num' }, String(index + 1));
    this.nameEl = h('span', { class: 'tile-name' });
    this.subEl = h('span', { class: 'tile-sub' });
    this.chip = h('span', { class: 'chip' });
    this.clearBtn = h('button', { type: 'button', class: 'tile-clear', dataset: { action: 'clear' } }, '×');
    // Export incident (clips.js opens the dialog; shown to dispatchers and up).
    this.exportBtn = h('button', { type: 'button', class: 'tile-export', dataset: { action: 'export' } }, '⤓');
    this.soundBtn = h('button', { type: 'button', class: 'tile-sound', dataset: { action: 'sound' } });
    // Snapshot: a JPEG of the picture, live or played back (timeline.js downloads it).
    this.snapBtn = h('button', { type: 'button', class: 'tile-snapshot', dataset: { action: 'snapshot' } }, '◉');
    this.soundEl = h('div', { class: 'tile-sound-state', attrs: { role: 'status' } });
    this.msgEl = h('div', { class: 'tile-msg', attrs: { role: 'status' } });
    this.statsEl = h('div', { class: 'tile-stats' });
    this.el = h('div', {
      class: 'tile', draggable: true,
      dataset: { tile: String(index), state: 'empty' },
      attrs: { tabindex: '-1' },
    },
    this.video,
    h('div', { class: 'tile-head' }, this.numEl, h('div', { class: 'tile-title' }, this.nameEl, this.subEl), this.chip, this.soundBtn, this.snapBtn, this.exportBtn, this.clearBtn),
    this.msgEl,
    this.soundEl,
    this.statsEl);
    this.render();
  }

  /** Feeds the tile from a receiving track (null: nothing). */
  bind(track) {
    this.video.srcObject = track ? new MediaStream([track]) : null;
    if (track) this.video.play().catch(() => { /* muted autoplay; a refusal shows as no frames */ });
  }

  /** Sets the camera the tile should show (null clears it) and restarts its state. */
  setCamera(camera, station) {
    const id = camera?.id || '';
    if (id !== (this.camera?.id || '')) {
      this.rates = null;
      this.state = id ? 'waiting' : 'empty';
      this.reason = '';
      this.media = {};
      this.hasAudio = false;
    }
    this.camera = camera;
    this.station = station;
    if (id) this.el.dataset.camera = id;
    else delete this.el.dataset.camera;
    this.render();
  }

  /**
   * Applies a state: of a "tile" message of the gateway (msg, whose media
   * facts are kept: sound, codec path) or a local one (stalled, reconnecting).
   */
  setState(state, reason = '', msg = null) {
    if (msg) this.setMedia(msg);
    if (!this.camera) state = 'empty';
    else if (state === 'idle' || state === 'empty') state = 'waiting';
    else if (!(state in messageKeys) && state !== 'playing') state = 'unknown';
    this.state = state;
    this.reason = reason || '';
    if (state === 'playing') this.shownCamera = this.camera.id;
    this.render();
  }

  /** Whether the camera has sound, and (when playing) its codec path. */
  setMedia(m) {
    this.hasAudio = m.audio === true;
    if (m.state === 'playing') this.media = { codec: m.codec || '', sent: m.sent || '', transcoded: m.transcoded === true };
  }

  /** Marks the tile as one whose speaker button may show (focused or alone). */
  setSpeakable(on) {
    if (this.speakable === on) return;
    this.speakable = on;
    this.render();
  }

  /** What the tile is heard as (merged into the current), or null: muted. */
  setSound(s) {
    this.sound = s ? { ...this.sound, ...s } : null;
    this.render();
  }

  /** Statistics for the hover box: {width, height, fps, kbps} or null. */
  setStats(s) {
    this.rates = s && s.width ? s : null;
    this.renderStats();
  }

  renderStats() {
    const s = this.rates;
    const parts = [];
    if (s) parts.push(t('tile.stats', { width: s.width, height: s.height, fps: Math.round(s.fps), kbps: s.kbps < 0 ? '–' : s.kbps }));
    if (this.state === 'playing') parts.push(codecPath({ ...this.media, bframes: this.camera?.bframes }));
    this.statsEl.textContent = parts.filter(Boolean).join(' · ');
  }

  renderSound() {
    const s = this.sound;
    const shown = Boolean(this.camera) && this.speakable && (this.hasAudio || s !== null);
    this.soundBtn.hidden = !shown;
    this.soundBtn.setAttribute('aria-pressed', String(s !== null));
    const label = t(s ? 'tile.sound.off' : 'tile.sound.on');
    this.soundBtn.title = label;
    this.soundBtn.setAttribute('aria-label', label);
    const state = !s ? 'off' : s.blocked ? 'blocked' : s.state || 'waiting';
    this.el.dataset.sound = state;
    let text = '';
    if (state === 'playing') text = t('sound.playing', { codec: codecPath(s) || '–' });
    else if (state === 'offline') text = t('sound.offline', { reason: reasonText(s.reason) });
    else if (soundKeys[state]) text = t(soundKeys[state]);
    this.soundEl.hidden = !text;
    this.soundEl.textContent = text;
  }

  render() {
    const cam = this.camera;
    const state = this.state;
    this.el.dataset.state = state;
    // Show the picture only when it is this camera's: while switching to
    // another camera, or when it is offline, the last frame would lie.
    this.el.classList.toggle('has-picture',
      state === 'playing' || (state === 'waiting' && cam !== null && this.shownCamera === cam.id));
    this.nameEl.textContent = cam ? localName(cam) || cam.id : '';
    this.subEl.textContent = cam ? [localName(this.station), cam.id].filter(Boolean).join(' · ') : '';
    this.chip.hidden = !cam;
    const stuck = state === 'offline' && unplayable.has(this.reason);
    if (state === 'offline' && this.reason) this.el.dataset.reason = this.reason;
    else delete this.el.dataset.reason;
    this.chip.className = `chip chip-${state}`;
    this.chip.textContent = cam ? t(stuck ? 'tile.state.unplayable' : `tile.state.${state}`) : '';
    this.clearBtn.hidden = !cam;
    this.exportBtn.hidden = !cam;
    this.snapBtn.hidden = !cam;
    this.snapBtn.title = t('tile.snapshot');
    this.snapBtn.setAttribute('aria-label', t('tile.snapshot'));
    this.exportBtn.title = t('tile.export');
    this.exportBtn.setAttribute('aria-label', t('tile.export'));
    this.clearBtn.title = t('tile.clear');
    this.clearBtn.setAttribute('aria-label', t('tile.clear'));
    this.el.setAttribute('aria-label', cam ? `${this.index + 1} ${localName(cam)} ${t(`tile.state.${state}`)}` : `${this.index + 1}`);
    const key = stuck ? `tile.${this.reason}` : messageKeys[state];
    this.msgEl.hidden = !key;
    this.msgEl.textContent = key ? t(key, { reason: reasonText(this.reason) }) : '';
    this.renderSound();
    this.renderStats();
    renderRecordingBadge(this);
  }
}
