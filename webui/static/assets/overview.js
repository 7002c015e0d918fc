// The station overview (#overview): what a shift leader opens first. Per
// station: cameras online of total, recording, open alarms by type, and
// its cameras worst first (most open alarms, then offline). It follows
// the camera messages and the alarms as they change.

import { alarmTypes, onAlarms, openAlarms } from './alarmsapi.js';
import { $, h } from './dom.js';
import { localName, onLangChange, t } from './i18n.js';
import { cameraState } from './tree.js';

/** createOverview({stations(), put(camera)}) → {refresh(), destroy()} */
export function createOverview(opts) {
  const el = h('section', { id: 'overview-view', class: 'view page overview', hidden: true });
  const link = h('a', { id: 'nav-overview', href: '#overview', class: 'topnav-item', dataset: { view: 'overview' } });
  $('#topnav [data-view="live"]')?.after(link);
  $('#console-view')?.append(el);

  function render() {
    link.textContent = t('nav.overview');
    if (el.hidden) return;
    const alarms = openAlarms();
    el.replaceChildren(h('div', { class: 'page-head' }, h('h1', {}, t('overview.title'))),
      h('div', { class: 'overview-grid' }, ...opts.stations().map((st) => card(st, alarms))));
  }

  function card(st, alarms) {
    const cams = st.cameras || [];
    const mine = alarms.filter((a) => a.station === st.id);
    const online = cams.filter((c) => cameraState(c) === 'online').length;
    const recording = cams.filter((c) => c.recording?.state === 'recording').length;
    const byType = alarmTypes.map((x) => [x, mine.filter((a) => a.type === x).length]).filter(([, n]) => n > 0);
    const score = (c) => mine.filter((a) => a.camera === c.id).length * 2 + (cameraState(c) === 'online' ? 0 : 1);
    const worst = [...cams].sort((a, b) => score(b) - score(a)).filter((c) => score(c) > 0);
    return h('article', { class: `overview-card${mine.length ? ' has-alarms' : ''}`, dataset: { station: st.id } },
      h('h2', {}, localName(st)),
      h('dl', { class: 'overview-figures' },
        h('dt', {}, t('overview.online')), h('dd', { class: 'overview-online' }, `${online}/${cams.length}`),
        h('dt', {}, t('overview.recording')), h('dd', { class: 'overview-recording' }, String(recording)),
        h('dt', {}, t('overview.alarms')), h('dd', { class: 'overview-alarms' }, String(mine.length))),
      h('ul', { class: 'overview-types' }, ...byType.map(([x, n]) => h('li', { dataset: { type: x } }, `${t(`alarm.${x}`)} ${n}`))),
      h('ol', { class: 'overview-worst' }, ...worst.slice(0, 8).map((c) =>
        h('li', { dataset: { camera: c.id } }, h('button', { type: 'button', class: 'btn-link', on: { click: () => show(c) } }, localName(c)),
          ` ${mine.filter((a) => a.camera === c.id).map((a) => t(`alarm.${a.type}`)).join('、') || t(`state.${cameraState(c)}`)}`))));
  }

  function show(cam) {
    history.pushState(null, '', location.pathname + location.search);
    route();
    opts.put(cam);
  }

  function route() {
    const on = location.hash === '#overview';
    el.hidden = !on;
    if (on) {
      $('#live-view').hidden = true;
      for (const l of document.querySelectorAll('#topnav [data-view]')) l.classList.toggle('active', l === link);
    }
    render();
  }

  window.addEventListener('hashchange', route);
  const stopAlarms = onAlarms(() => render());
  const stopLang = onLangChange(render);
  route();
  return {
    refresh: render,
    destroy() {
      window.removeEventListener('hashchange', route);
      stopAlarms();
      stopLang?.();
      link.remove();
      el.remove();
    },
  };
}
