// The login form: POST /api/session, with clear messages for wrong
// credentials, rate limiting (counting down Retry-After) and network errors.

import { $, show } from './dom.js';
import { ApiError, login } from './api.js';
import { onLangChange, t } from './i18n.js';

/**
 * Wires the login view. onLoggedIn(result) receives the login answer
 * {token, user, role, must_change_password}.
 */
export function createLogin({ onLoggedIn }) {
  const view = $('#login-view');
  const form = $('#login-form');
  const user = $('#login-username');
  const pass = $('#login-password');
  const submit = $('#login-submit');
  const errorBox = $('#login-error');
  let message = null; // {key, vars} so a language switch re-renders it
  let lockedUntil = 0;
  let countdown = 0;

  function render() {
    show(errorBox, message !== null);
    if (message) errorBox.textContent = t(message.key, message.vars);
    const locked = Date.now() < lockedUntil;
    submit.disabled = locked || form.classList.contains('busy');
    submit.textContent = t(form.classList.contains('busy') ? 'login.submitting' : 'login.submit');
  }

  function setError(key, vars) {
    message = key ? { key, vars } : null;
    render();
  }

  function lockFor(seconds) {
    clearInterval(countdown);
    lockedUntil = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((lockedUntil - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(countdown);
        setError(null);
        return;
      }
      setError('login.rateLimited', { seconds: left });
    };
    tick();
    countdown = setInterval(tick, 1000);
  }

  function explain(err) {
    if (!(err instanceof ApiError)) return setError('error.server', { status: '-', message: String(err.message) });
    if (err.status === 401) return setError('login.bad');
    if (err.status === 429) return err.retryAfter > 0 ? lockFor(err.retryAfter) : setError('login.rateLimitedNow');
    if (err.status === 0) return setError('error.network');
    return setError('error.server', { status: err.status, message: err.message });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    const username = user.value.trim();
    if (!username || !pass.value) return setError('login.missing');
    form.classList.add('busy');
    setError(null);
    try {
      const result = await login(username, pass.value);
      pass.value = '';
      onLoggedIn(result);
    } catch (err) {
      explain(err);
      pass.select();
    } finally {
      form.classList.remove('busy');
      render();
    }
  });
  onLangChange(render);

  return {
    /** Shows the form, optionally with a message key (e.g. session.expired). */
    show(noticeKey) {
      setError(noticeKey || null);
      show(view, true);
      (user.value ? pass : user).focus();
    },
    hide() {
      show(view, false);
    },
  };
}
