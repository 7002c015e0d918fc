// The timeline's controls: transport buttons, speed, link, in/out,
// export, bookmark, zoom, the clock of the frame on screen, a message
// (nothing recorded, with the nearest recorded time to go to) and how
// much evidence is locked. They only report clicks; timeline.js acts.

import { h } from './dom.js';
import { onLangChange, t } from './i18n.js';
import { clockText, dateText, speedText, speeds, zoomText } from './timescale.js';

/**
 * createControls(panel, actions) where actions are live(), play(), step(),
 * jump(ms), speed(s), link(), markIn(), markOut(), export(), bookmark(),
 * zoom(dir), nearest(t). Returns setters: clock(t, playback, report),
 * speed(s), zoom(z), linked(on, n), message(text, nearest), locked(text).
 */
export function createControls(panel, a) {
  const labelled = [];
  const button = (id, key, text, fn) => {
    const b = h('button', { id, type: 'button', class: 'tl-btn', on: { click: fn } }, text);
    labelled.push([b, key]);
    return b;
  };
  const speedSel = h('select', { id: 'tl-speed', class: 'tl-speed', on: { change: () => a.speed(Number(speedSel.value)) } },
    speeds.map((s) => h('option', { value: String(s) }, speedText(s))));
  const playBtn = button('tl-play', 'timeline.pause', '❚❚', () => a.play());
  const linkBtn = button('tl-link', 'timeline.link', '', () => a.link());
  const inBtn = button('tl-in', 'timeline.markIn', '', () => a.markIn());
  const outBtn = button('tl-out', 'timeline.markOut', '', () => a.markOut());
  const zoomEl = h('span', { id: 'tl-zoom', class: 'tl-zoom' });
  const clockEl = h('span', { id: 'tl-clock', class: 'tl-clock', attrs: { role: 'timer', 'aria-live': 'off' } });
  const dateEl = h('span', { id: 'tl-date', class: 'tl-date' });
  const modeEl = h('span', { id: 'tl-mode', class: 'tl-mode' });
  const msgText = h('span', {});
  const nearestBtn = h('button', { id: 'tl-nearest', type: 'button', class: 'btn-link', hidden: true });
  const msgEl = h('div', { id: 'tl-msg', class: 'tl-msg', attrs: { role: 'status' }, hidden: true }, msgText, nearestBtn);
  const lockedEl = h('span', { id: 'tl-locked', class: 'tl-locked' });
  let nearest = NaN;
  nearestBtn.addEventListener('click', () => a.nearest(nearest));

  const row = h('div', { class: 'tl-controls', attrs: { role: 'toolbar' } },
    h('div', { class: 'tl-clockbox' }, modeEl, clockEl, dateEl),
    h('div', { class: 'tl-group' },
      button('tl-back60', 'timeline.back60', '−1′', () => a.jump(-60000)),
      button('tl-back10', 'timeline.back10', '−10″', () => a.jump(-10000)),
      playBtn,
      button('tl-step', 'timeline.step', '▸❙', () => a.step()),
      button('tl-fwd10', 'timeline.fwd10', '+10″', () => a.jump(10000)),
      button('tl-fwd60', 'timeline.fwd60', '+1′', () => a.jump(60000)),
      speedSel,
      button('tl-live', 'timeline.live', '', () => a.live())),
    h('div', { class: 'tl-group' },
      inBtn,
      outBtn,
      button('tl-export', 'timeline.export', '⤓', () => a.export()),
      button('tl-bookmark', 'timeline.bookmark', '★', () => a.bookmark()),
      linkBtn),
    h('div', { class: 'tl-group tl-right' },
      lockedEl,
      button('tl-zoom-in', 'timeline.zoomIn', '+', () => a.zoom(-1)),
      zoomEl,
      button('tl-zoom-out', 'timeline.zoomOut', '−', () => a.zoom(1))),
    msgEl);
  panel.append(row);

  let linkedN = 0;
  let linkedOn = false;
  function labels() {
    modeEl.dataset.mode = ''; // the next clock() writes the mode in the new language
    for (const [b, key] of labelled) {
      b.title = t(key);
      b.setAttribute('aria-label', t(key));
    }
    document.querySelector('#tl-live').textContent = t('timeline.live');
    linkBtn.textContent = t('timeline.linkShort');
    inBtn.textContent = t('timeline.inShort');
    outBtn.textContent = t('timeline.outShort');
    linkBtn.setAttribute('aria-pressed', String(linkedOn));
    linkBtn.title = linkedOn ? t('timeline.linked', { n: linkedN }) : t('timeline.link');
    speedSel.title = t('timeline.speed');
  }
  labels();
  onLangChange(labels);

  return {
    clock(at, playback, r) {
      clockEl.textContent = Number.isFinite(at) ? clockText(at) : '--:--:--';
      clockEl.dataset.time = Number.isFinite(at) ? String(Math.round(at)) : '';
      dateEl.textContent = Number.isFinite(at) ? dateText(at) : '';
      const mode = !playback ? 'live' : r?.ended ? 'ended' : r?.paused ? 'paused' : 'playback';
      if (modeEl.dataset.mode !== mode) {
        modeEl.dataset.mode = mode;
        panel.dataset.mode = mode;
        modeEl.textContent = t(`timeline.mode.${mode}`);
      }
      const paused = !playback || r?.paused;
      playBtn.textContent = paused ? '▶' : '❚❚';
      playBtn.title = t(paused ? 'timeline.play' : 'timeline.pause');
    },
    speed(s) {
      speedSel.value = String(s);
    },
    zoom(z) {
      zoomEl.textContent = zoomText(z);
    },
    linked(on, n) {
      linkedOn = on;
      linkedN = n;
      panel.dataset.linked = String(on);
      labels();
    },
    message(text, near = NaN) {
      nearest = near;
      msgEl.hidden = !text;
      msgText.textContent = text;
      nearestBtn.hidden = !Number.isFinite(near);
      if (Number.isFinite(near)) nearestBtn.textContent = t('timeline.nearest', { time: `${dateText(near)} ${clockText(near)}` });
    },
    locked(text) {
      lockedEl.textContent = text;
    },
  };
}
