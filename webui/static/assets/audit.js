// The audit log page (admins): filters by user, camera, action and time,
// newest first, paged with the gateway's next_before.

import { getAudit } from './accessapi.js';
import { formatTime } from './admin.js';
import { detailWords } from './auditwords.js';
import { parseDateTime } from './datetime.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { onLangChange, t } from './i18n.js';

const pageSize = 50;

/** The actions the gateway records (gateway/audit), for the filter. */
export const auditActions = [
  'login', 'login.failed', 'logout', 'password.change', 'view.start', 'view.end', 'wall.set',
  'clip.export', 'clip.download', 'clip.verify_failed', 'user.create', 'user.update', 'user.delete',
  'user.sessions_revoke', 'token.create', 'token.revoke', 'config.load', 'config.reload',
];

export function createAudit() {
  const state = { filter: {}, pages: [0], next: 0, entries: [] }; // pages: the before= of each page seen
  const input = (id, type = 'text') => h('input', { id, type, autocomplete: 'off', spellcheck: false });
  const user = input('audit-user');
  const camera = input('audit-camera');
  // 24-hour "YYYY-MM-DD HH:MM" text fields: datetime-local follows the
  // browser's locale (a 12-hour clock, month first), not the console's.
  const dateInput = (id) => {
    const el = input(id);
    el.placeholder = 'YYYY-MM-DD HH:MM';
    el.pattern = '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2})?';
    el.classList.add('input-datetime');
    return el;
  };
  const from = dateInput('audit-from');
  const to = dateInput('audit-to');
  const action = h('select', { id: 'audit-action' });
  const body = h('tbody');
  const status = h('p', { id: 'audit-status', class: 'page-message', hidden: true });
  const newest = h('button', { id: 'audit-newest', type: 'button', class: 'btn', on: { click: () => load([0]) } });
  const older = h('button', { id: 'audit-older', type: 'button', class: 'btn', on: { click: () => load([...state.pages, state.next]) } });
  const pageNo = h('span', { class: 'muted' });
  const el = h('section', { id: 'audit-view', class: 'view page', hidden: true });

  function render() {
    action.replaceChildren(h('option', { value: '' }, t('audit.filter.any')),
      ...auditActions.map((a) => h('option', { value: a, selected: state.filter.action === a }, actionLabel(a))));
    const field = (key, control) => h('label', { class: 'field' }, h('span', {}, t(`audit.filter.${key}`)), control);
    newest.textContent = t('audit.newest');
    older.textContent = t('audit.older');
    el.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, t('audit.title'))),
      h('form', { id: 'audit-filter', class: 'inline-form', on: { submit: apply } },
        field('user', user), field('camera', camera), field('action', action), field('from', from), field('to', to),
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('audit.filter.apply')),
        h('button', { type: 'button', class: 'btn', on: { click: reset } }, t('audit.filter.reset'))),
      status,
      h('table', { id: 'audit-table', class: 'table' },
        h('thead', {}, h('tr', {}, ...['seq', 'time', 'user', 'action', 'camera', 'detail'].map((c) => h('th', {}, t(`audit.col.${c}`))))),
        body),
      h('div', { class: 'pager' }, newest, pageNo, older));
    renderRows();
  }

  function renderRows() {
    body.replaceChildren(...state.entries.map((e) => h('tr', { dataset: { seq: e.seq, action: e.action } },
      h('td', { class: 'cell-num' }, String(e.seq)),
      h('td', { class: 'cell-time' }, formatTime(e.time)),
      h('td', {}, e.user || t('audit.system')),
      h('td', { class: e.action.includes('failed') ? 'cell-bad' : '' }, actionLabel(e.action)),
      h('td', {}, e.camera),
      h('td', { class: 'cell-detail' }, detailWords(e.detail)))));
    const empty = state.entries.length === 0;
    status.hidden = !empty;
    if (empty) status.textContent = t('audit.empty');
    pageNo.textContent = t('audit.page', { page: state.pages.length });
    newest.disabled = state.pages.length <= 1;
    older.disabled = !state.next;
  }

  function toRFC3339(local) {
    const d = parseDateTime(local);
    return d ? d.toISOString() : '';
  }

  function apply(event) {
    event?.preventDefault();
    state.filter = { user: user.value.trim(), camera: camera.value.trim(), action: action.value,
      from: toRFC3339(from.value), to: toRFC3339(to.value) };
    load([0]);
  }

  function reset() {
    for (const i of [user, camera, from, to]) i.value = '';
    action.value = '';
    apply();
  }

  async function load(pages) {
    try {
      const res = await getAudit({ ...state.filter, limit: pageSize, before: pages[pages.length - 1] });
      state.pages = pages;
      state.entries = res.entries || [];
      state.next = res.next_before || 0;
    } catch (err) {
      status.textContent = t('admin.error', { message: errorText(err) });
      status.hidden = false;
      return;
    }
    renderRows();
  }

  onLangChange(() => {
    if (!el.hidden) render();
  });
  render();
  return {
    el,
    open() {
      render();
      load(state.pages);
    },
  };
}

function actionLabel(action) {
  const key = `audit.action.${action}`;
  const text = t(key);
  return text === key ? action : text;
}
