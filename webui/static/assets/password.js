// The change-password dialog: the user's own password (PUT
// /api/session/password). Forced after an admin set the password (first
// login, reset): then it cannot be dismissed, only completed or left by
// signing out.

import { changePassword } from './accessapi.js';
import { ApiError } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

const minLength = 10;

/**
 * Opens the dialog. forced: no cancel. onChanged() runs after a successful
 * change (the dialog is closed); onSignOut() when a forced user gives up.
 */
export function openPasswordDialog({ forced = false, onChanged = () => {}, onSignOut = () => {} } = {}) {
  document.querySelector('#password-dialog')?.remove();
  const field = (id, key, autocomplete) => {
    const input = h('input', { id, type: 'password', autocomplete, required: true });
    return [h('label', { class: 'field' }, h('span', {}, t(key)), input), input];
  };
  const [oldLabel, oldInput] = field('password-old', 'password.old', 'current-password');
  const [newLabel, newInput] = field('password-new', 'password.new', 'new-password');
  const [confirmLabel, confirmInput] = field('password-confirm', 'password.confirm', 'new-password');
  const error = h('p', { id: 'password-error', class: 'login-error', attrs: { role: 'alert' }, hidden: true });
  const submit = h('button', { id: 'password-submit', type: 'submit', class: 'btn btn-primary' }, t('password.submit'));
  const leave = forced
    ? h('button', { type: 'button', class: 'btn', on: { click: () => { dialog.close(); onSignOut(); } } }, t('password.signOut'))
    : h('button', { type: 'button', class: 'btn', on: { click: () => dialog.close() } }, t('password.cancel'));
  const form = h('form', { class: 'dialog-form', method: 'dialog', noValidate: true },
    h('h2', {}, t(forced ? 'password.forcedTitle' : 'password.title')),
    forced ? h('p', { class: 'dialog-text' }, t('password.forcedText')) : null,
    h('p', { class: 'dialog-text' }, t('password.revokes')),
    oldLabel, newLabel, confirmLabel, error,
    h('div', { class: 'dialog-actions' }, leave, submit));
  const dialog = h('dialog', { id: 'password-dialog', class: 'dialog' }, form);

  const fail = (key, vars) => {
    error.textContent = t(key, vars);
    error.hidden = false;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    if ([...newInput.value].length < minLength) return fail('password.tooShort');
    if (newInput.value !== confirmInput.value) return fail('password.mismatch');
    if (newInput.value === oldInput.value) return fail('password.same');
    submit.disabled = true;
    try {
      await changePassword(oldInput.value, newInput.value);
      dialog.close();
      onChanged();
    } catch (err) {
      if (!(err instanceof ApiError)) fail('error.network');
      else if (err.status === 403) fail('password.wrongOld');
      else if (err.status === 429) fail('password.rateLimited');
      else if (err.status === 0) fail('error.network');
      else fail('error.server', { status: err.status, message: err.message });
    } finally {
      submit.disabled = false;
    }
  });
  if (forced) dialog.addEventListener('cancel', (event) => event.preventDefault()); // Escape
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  oldInput.focus();
  return dialog;
}
