// The administration page (admins): users with their role and station
// scope — create, edit, disable, reset password, end sessions, delete — and
// every user's API tokens.

import { formatDateTime } from './datetime.js';
import {
  createToken, createUser, deleteUser, getTokens, getUsers, revokeSessions, revokeToken, updateUser,
} from './accessapi.js';
import { getStations } from './api.js';
import { h } from './dom.js';
import { localName, onLangChange, t } from './i18n.js';
import { createDiscovery } from './onvifadmin.js';

const roles = ['viewer', 'dispatcher', 'operator', 'admin'];

/** Builds the page; me is the logged-in admin's name. */
export function createAdmin({ me }) {
  const state = { users: [], tokens: [], stations: [] };
  const message = h('p', { id: 'admin-message', class: 'page-message', attrs: { role: 'status' }, hidden: true });
  const usersBody = h('tbody');
  const tokensBody = h('tbody');
  const secretBox = h('div', { id: 'token-secret', class: 'token-secret', hidden: true });
  const tokenName = h('input', { id: 'token-name', maxLength: 64, autocomplete: 'off' });
  const el = h('section', { id: 'admin-view', class: 'view page', hidden: true });
  const discovery = createDiscovery(); // ONVIF cameras on the station network

  function render() {
    el.replaceChildren(
      h('div', { class: 'page-head' },
        h('h1', {}, t('admin.title')),
        h('button', { id: 'admin-new-user', type: 'button', class: 'btn btn-primary', on: { click: () => openUserForm(null) } },
          t('admin.newUser'))),
      message,
      h('h2', {}, t('admin.users')),
      h('table', { id: 'users-table', class: 'table' },
        h('thead', {}, h('tr', {}, ...['username', 'role', 'stations', 'status', 'created', 'actions']
          .map((c) => h('th', {}, t(`admin.col.${c}`))))),
        usersBody),
      h('h2', {}, t('admin.tokens')),
      h('p', { class: 'page-hint' }, t('admin.tokens.hint')),
      h('form', { class: 'inline-form', on: { submit: onCreateToken } },
        h('label', { class: 'field' }, h('span', {}, t('admin.tokens.name')), tokenName),
        h('button', { id: 'token-create', type: 'submit', class: 'btn' }, t('admin.tokens.create'))),
      secretBox,
      h('table', { id: 'tokens-table', class: 'table' },
        h('thead', {}, h('tr', {}, ...['user', 'name', 'created', 'lastUsed', 'status', 'actions']
          .map((c) => h('th', {}, t(c === 'actions' ? 'admin.col.actions' : `admin.tokens.col.${c}`))))),
        tokensBody),
      discovery.el);
    discovery.render();
    renderUsers();
    renderTokens();
  }

  function say(text, kind = 'ok') {
    message.textContent = text;
    message.className = `page-message page-message-${kind}`;
    message.hidden = false;
  }

  const failed = (err) => say(t('admin.error', { message: err.message || String(err) }), 'error');

  function stationNames(ids) {
    if (!ids.length) return t('admin.allStations');
    return ids.map((id) => localName(state.stations.find((s) => s.id === id)) || id).join('、');
  }

  function renderUsers() {
    usersBody.replaceChildren(...state.users.map((u) => {
      const status = [t(u.disabled ? 'admin.status.disabled' : 'admin.status.active')];
      if (u.must_change_password) status.push(t('admin.status.mustChange'));
      const self = u.username === me;
      const act = (key, fn, cls = '') => h('button', { type: 'button', class: `btn btn-small ${cls}`, dataset: { action: key },
        on: { click: () => fn(u) } }, t(`admin.${key}`));
      return h('tr', { dataset: { user: u.username }, class: u.disabled ? 'row-disabled' : '' },
        h('td', {}, u.username, self ? h('span', { class: 'muted' }, t('admin.you')) : null),
        h('td', {}, t(`role.${u.role}`)),
        h('td', { class: 'cell-stations' }, stationNames(u.stations)),
        h('td', {}, status.join(' · ')),
        h('td', { class: 'cell-time' }, formatTime(u.created_at)),
        h('td', { class: 'cell-actions' },
          act('edit', (x) => openUserForm(x)),
          self ? null : act(u.disabled ? 'enable' : 'disable', toggleDisabled),
          act('resetPassword', openReset),
          act('revokeSessions', onRevokeSessions),
          self ? null : act('delete', onDelete, 'btn-danger')));
    }));
  }

  function renderTokens() {
    if (!state.tokens.length) {
      tokensBody.replaceChildren(h('tr', {}, h('td', { colSpan: 6, class: 'muted' }, t('admin.tokens.none'))));
      return;
    }
    tokensBody.replaceChildren(...state.tokens.map((tk) => h('tr', { dataset: { token: tk.id }, class: tk.revoked ? 'row-disabled' : '' },
      h('td', {}, tk.user),
      h('td', {}, tk.name),
      h('td', { class: 'cell-time' }, formatTime(tk.created_at)),
      h('td', { class: 'cell-time' }, tk.last_used ? formatTime(tk.last_used) : t('admin.tokens.never')),
      h('td', {}, t(tk.revoked ? 'admin.tokens.revoked' : 'admin.tokens.active')),
      h('td', { class: 'cell-actions' }, tk.revoked ? null : h('button', {
        type: 'button', class: 'btn btn-small btn-danger', on: { click: () => onRevokeToken(tk) },
      }, t('admin.tokens.revoke'))))));
  }

  async function refresh() {
    try {
      [state.users, state.tokens, state.stations] = await Promise.all([getUsers(), getTokens(), getStations()]);
      renderUsers();
      renderTokens();
    } catch (err) {
      failed(err);
    }
  }

  /** Runs fn; done(result) is the success message; fail (a dialog's) shows errors. */
  async function act(fn, done, fail) {
    try {
      const result = await fn();
      if (done) say(done(result));
      await refresh();
      return true;
    } catch (err) {
      if (fail) return fail(t('admin.error', { message: err.message || String(err) }));
      failed(err);
      return false;
    }
  }

  function toggleDisabled(u) {
    if (!u.disabled && !confirm(t('admin.confirmDisable', { user: u.username }))) return;
    act(() => updateUser(u.username, { disabled: !u.disabled }), () => t('admin.saved'));
  }

  function onRevokeSessions(u) {
    if (!confirm(t('admin.confirmRevoke', { user: u.username }))) return;
    act(() => revokeSessions(u.username), (n) => t('admin.revoked', { n }));
  }

  function onDelete(u) {
    if (!confirm(t('admin.confirmDelete', { user: u.username }))) return;
    act(() => deleteUser(u.username), () => t('admin.deleted', { user: u.username }));
  }

  function onRevokeToken(tk) {
    if (!confirm(t('admin.tokens.confirmRevoke', { name: tk.name }))) return;
    act(() => revokeToken(tk.id), () => t('admin.saved'));
  }

  async function onCreateToken(event) {
    event.preventDefault();
    const name = tokenName.value.trim();
    if (!name) return;
    const ok = await act(async () => {
      const tk = await createToken(name);
      secretBox.replaceChildren(h('span', {}, t('admin.tokens.secret')), h('code', { class: 'secret' }, tk.token));
      secretBox.hidden = false;
    });
    if (ok) tokenName.value = '';
  }

  function openReset(u) {
    const input = h('input', { id: 'reset-password', type: 'password', autocomplete: 'new-password', required: true });
    openDialog('reset-dialog', t('admin.reset.title', { user: u.username }),
      [h('label', { class: 'field' }, h('span', {}, t('admin.reset.password')), input)],
      async (fail) => {
        if ([...input.value].length < 10) return fail(t('password.tooShort'));
        return act(() => updateUser(u.username, { password: input.value }), () => t('admin.reset.done', { user: u.username }), fail);
      });
  }

  function openUserForm(u) {
    const creating = !u;
    const username = h('input', { id: 'user-form-username', autocomplete: 'off', spellcheck: false, value: u?.username || '',
      readOnly: !creating, maxLength: 64 });
    const password = h('input', { id: 'user-form-password', type: 'password', autocomplete: 'new-password' });
    const role = h('select', { id: 'user-form-role' },
      ...roles.map((r) => h('option', { value: r, selected: (u?.role || 'viewer') === r }, t(`role.${r}`))));
    const scoped = Boolean(u?.stations?.length);
    const all = h('input', { id: 'user-form-scope-all', type: 'radio', name: 'scope', value: 'all', checked: !scoped });
    const some = h('input', { id: 'user-form-scope-some', type: 'radio', name: 'scope', value: 'some', checked: scoped });
    const boxes = state.stations.map((st) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'station', value: st.id, checked: Boolean(u?.stations?.includes(st.id)) }),
      ` ${localName(st)} (${st.id})`));
    const stationList = h('div', { class: 'station-checks' }, ...boxes);
    const adminNote = h('p', { class: 'page-hint' }, t('admin.form.adminAll'));
    const sync = () => {
      const isAdmin = role.value === 'admin';
      adminNote.hidden = !isAdmin;
      all.disabled = some.disabled = isAdmin;
      if (isAdmin) all.checked = true;
      stationList.hidden = !some.checked;
    };
    role.addEventListener('change', sync);
    all.addEventListener('change', sync);
    some.addEventListener('change', sync);
    const fields = [
      h('label', { class: 'field' }, h('span', {}, t('admin.form.username')), username),
      creating ? h('label', { class: 'field' }, h('span', {}, t('admin.form.password')), password) : null,
      h('label', { class: 'field' }, h('span', {}, t('admin.form.role')), role),
      h('fieldset', { class: 'scope' }, h('legend', {}, t('admin.form.scope')),
        h('label', { class: 'check' }, all, ` ${t('admin.form.scopeAll')}`),
        h('label', { class: 'check' }, some, ` ${t('admin.form.scopeSome')}`),
        stationList, adminNote),
    ];
    openDialog('user-dialog', creating ? t('admin.form.createTitle') : t('admin.form.editTitle', { user: u.username }), fields,
      async (fail) => {
        const stations = some.checked ? boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value) : [];
        if (some.checked && !stations.length) return fail(t('admin.form.pickStation'));
        if (creating) {
          if ([...password.value].length < 10) return fail(t('password.tooShort'));
          return act(() => createUser({ username: username.value.trim(), password: password.value, role: role.value, stations }),
            () => t('admin.created', { user: username.value.trim() }), fail);
        }
        return act(() => updateUser(u.username, { role: role.value, stations }), () => t('admin.saved'), fail);
      });
    sync();
  }

  onLangChange(() => {
    if (!el.hidden) render();
  });
  render();
  return {
    el,
    open() {
      render();
      refresh();
    },
  };
}

/**
 * A modal form: title, fields, and a save that resolves true to close;
 * fail(text) shows an error in the dialog and returns false.
 */
function openDialog(id, title, fields, save) {
  document.getElementById(id)?.remove();
  const error = h('p', { class: 'login-error', attrs: { role: 'alert' }, hidden: true });
  const submit = h('button', { id: `${id}-submit`, type: 'submit', class: 'btn btn-primary' }, t('admin.form.save'));
  const form = h('form', { class: 'dialog-form', noValidate: true },
    h('h2', {}, title), ...fields, error,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'btn', on: { click: () => dialog.close() } }, t('admin.form.cancel')), submit));
  const dialog = h('dialog', { id, class: 'dialog' }, form);
  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
    return false;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      if (await save(fail)) dialog.close();
    } finally {
      submit.disabled = false;
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.querySelector('input:not([readonly]), select')?.focus();
}

/** An RFC 3339 time in the viewer's local time, to the second. */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatDateTime(d);
}
