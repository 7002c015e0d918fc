// The alarm panel: a toolbar button with the open alarms' count, a badge
// per station in the tree, a list with filters (station, type, state),
// a sound for new critical alarms, and per alarm: one click puts its
// camera live on the selected tile, "play from 10 s before" plays the
// recording there, and "acknowledge" takes a note.

import { ackAlarm, alarmTypes, countByStation, critical, listAlarms, loadOpen, onAlarms, openAlarms } from './alarmsapi.js';
import { $, h } from './dom.js';
import { localName, onLangChange, t } from './i18n.js';
import { toast } from './toast.js';

/**
 * createAlarms({lookup(id) → {camera, station}, stations(), put(camera),
 * playFrom(camera, date), canAck}) → {el, destroy()}
 */
export function createAlarms(opts) {
  const filter = { station: '', type: '', state: 'open' };
  let shown = [];
  const button = h('button', { id: 'alarms-btn', type: 'button', class: 'tool alarms-btn', on: { click: toggle } });
  const list = h('ul', { id: 'alarm-list', class: 'alarm-list' });
  const filters = h('div', { class: 'alarm-filters' });
  const panel = h('aside', { id: 'alarm-panel', class: 'alarm-panel', hidden: true },
    h('div', { class: 'alarm-panel-head' }, h('h2', {}, t('alarms.title')),
      h('button', { type: 'button', class: 'btn btn-ghost', on: { click: toggle } }, t('alarms.close'))),
    filters, list);
  $('.toolbar-right')?.prepend(button);
  $('#live-view .workspace')?.append(panel);

  function toggle() {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) refresh();
  }

  function select(key, values, label) {
    const s = h('select', { class: `alarm-filter-${key}`, on: { change: (e) => { filter[key] = e.target.value; refresh(); } } },
      ...values.map(([v, text]) => h('option', { value: v, selected: filter[key] === v }, text)));
    return h('label', {}, h('span', {}, label), s);
  }

  function renderFilters() {
    const stations = opts.stations().map((s) => [s.id, localName(s)]);
    filters.replaceChildren(
      select('station', [['', t('alarms.all')], ...stations], t('alarms.station')),
      select('type', [['', t('alarms.all')], ...alarmTypes.map((x) => [x, t(`alarm.${x}`)])], t('alarms.type')),
      select('state', ['open', 'active', 'acknowledged', 'cleared'].map((x) => [x, t(`alarms.state.${x}`)]), t('alarms.stateLabel')));
  }

  /** The list: the open alarms as they change, or a filtered query. */
  async function refresh() {
    renderFilters();
    if (filter.state === 'open' && !filter.type && !filter.station) shown = openAlarms();
    else {
      try {
        shown = await listAlarms(filter);
      } catch (err) {
        toast(t('alarms.loadFailed', { message: err.message }), 'error');
      }
    }
    list.replaceChildren(...shown.map(row));
    if (!shown.length) list.append(h('li', { class: 'alarm-empty' }, t('alarms.none')));
  }

  function row(a) {
    const found = opts.lookup(a.camera);
    const where = found ? `${localName(found.station)} · ${localName(found.camera)}` : (a.subject || a.station || '');
    const acts = h('div', { class: 'alarm-actions' });
    if (found) {
      acts.append(
        h('button', { type: 'button', class: 'btn alarm-show', on: { click: () => opts.put(found.camera) } }, t('alarms.show')),
        h('button', { type: 'button', class: 'btn alarm-replay', on: { click: () => opts.playFrom(found.camera, new Date(Date.parse(a.raised_at) - 10000)) } }, t('alarms.replay')));
    }
    if (opts.canAck && a.state === 'active') acts.append(ackForm(a));
    const when = new Date(a.raised_at).toLocaleString('zh-CN', { hour12: false });
    return h('li', { class: `alarm alarm-${a.state}${critical.has(a.type) ? ' alarm-critical' : ''}`, dataset: { alarm: a.id, camera: a.camera } },
      h('div', { class: 'alarm-line' },
        h('strong', { class: 'alarm-type' }, t(`alarm.${a.type}`)),
        a.count > 1 ? h('span', { class: 'alarm-count' }, `×${a.count}`) : null,
        h('span', { class: 'alarm-state' }, t(`alarms.state.${a.state}`))),
      h('div', { class: 'alarm-where', on: { click: () => found && opts.put(found.camera) } }, where),
      h('div', { class: 'alarm-meta' }, when, a.detail ? ` · ${a.detail}` : '',
        a.acked_by ? ` · ${t('alarms.ackedBy', { user: a.acked_by })}${a.note ? `：${a.note}` : ''}` : ''),
      acts);
  }

  function ackForm(a) {
    const note = h('input', { class: 'alarm-note', maxLength: 500, placeholder: t('alarms.notePlaceholder') });
    const submit = async (e) => {
      e.preventDefault();
      try {
        await ackAlarm(a.id, note.value);
      } catch (err) {
        toast(t('alarms.ackFailed', { message: err.message }), 'error');
      }
    };
    return h('form', { class: 'alarm-ack', on: { submit } }, note,
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('alarms.ack')));
  }

  /** The toolbar count and the tree's station badges. */
  function badges() {
    const n = openAlarms().length;
    button.textContent = t('alarms.button', { n });
    button.classList.toggle('alarms-on', n > 0);
    const by = countByStation();
    for (const li of document.querySelectorAll('#tree li.station')) {
      const header = li.querySelector('.station-header');
      let badge = header.querySelector('.alarm-badge');
      const count = by.get(li.dataset.station) || 0;
      if (!badge) {
        badge = h('span', { class: 'alarm-badge' });
        header.append(badge);
      }
      badge.textContent = String(count);
      badge.hidden = count === 0;
    }
  }

  const stopListening = onAlarms((a, isNew) => {
    if (isNew && critical.has(a.type)) beep();
    badges();
    if (!panel.hidden) refresh();
  });
  const stopLang = onLangChange(() => { badges(); if (!panel.hidden) refresh(); });
  const treeWatch = new MutationObserver(() => badges()); // the tree rebuilds its stations
  treeWatch.observe($('#tree'), { childList: true });
  loadOpen().catch(() => {});
  badges();

  return {
    badges,
    destroy() {
      stopListening();
      stopLang?.();
      treeWatch.disconnect();
      button.remove();
      panel.remove();
    },
  };
}

let audio = null;

/** A short two-tone alert: no file to fetch, and the page's CSP allows it. */
function beep() {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 660].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, now + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, now + i * 0.18 + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.18);
      osc.stop(now + i * 0.18 + 0.17);
    }
  } catch { /* no sound device: the badge still shows it */ }
}
