// Bookmarks and what the timeline reads: a camera's recorded spans and
// bookmarks (GET /api/recordings/{camera}), the bytes evidence locks hold,
// the bookmark dialog (title, note, evidence lock) and the snapshot
// download.

import { ApiError, request } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { clockText, dateText } from './timescale.js';

/** {spans:[{from,to}], bookmarks:[…]} of camera over [from, to) (ms), times as ms. */
export async function getRecordings(camera, from, to, signal) {
  const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  const res = await request('GET', `/api/recordings/${encodeURIComponent(camera)}?${q}`, { signal });
  const body = await res.json();
  const ms = (s) => Date.parse(s);
  return {
    spans: (body.spans || []).map((s) => ({ from: ms(s.from), to: ms(s.to) })),
    bookmarks: (body.bookmarks || []).map((b) => ({ ...b, fromMs: ms(b.from), toMs: ms(b.to) })),
  };
}

/** Bytes the evidence locks hold on this gateway, over the cameras the user may see. */
export async function getLockedBytes() {
  const res = await request('GET', '/api/bookmarks/locked');
  return (await res.json()).bytes || 0;
}

export async function createBookmark(body) {
  const res = await request('POST', '/api/bookmarks', { json: body });
  return res.json();
}

/** Downloads a JPEG of camera: live, or at time t (ms) when given. */
export async function downloadSnapshot(camera, t) {
  const q = Number.isFinite(t) ? `?t=${encodeURIComponent(new Date(Math.floor(t)).toISOString())}` : '';
  const res = await request('GET', `/api/cameras/${encodeURIComponent(camera)}/snapshot${q}`);
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || `vigil-${camera}.jpg`;
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

/** "12.5 MB" style sizes. */
export function sizeText(n) {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  return `${Math.round(n / 1024)} KB`;
}

/**
 * Opens the bookmark dialog for camera {id, name} over [from, to] (ms);
 * canLock shows the evidence-lock box. onSaved(bookmark) after a save.
 */
export function openBookmarkDialog(camera, from, to, { canLock, onSaved }) {
  document.querySelector('#bookmark-dialog')?.remove();
  const title = h('input', { id: 'bookmark-title', maxLength: 200, required: true });
  const note = h('textarea', { id: 'bookmark-note', rows: 3, maxLength: 2000 });
  const lock = h('input', { id: 'bookmark-lock', type: 'checkbox' });
  const error = h('p', { id: 'bookmark-error', class: 'login-error', attrs: { role: 'alert' }, hidden: true });
  const submit = h('button', { id: 'bookmark-submit', type: 'submit', class: 'btn btn-primary' }, t('bookmark.save'));
  const cancel = h('button', { type: 'button', class: 'btn', on: { click: () => dialog.close() } }, t('export.cancel'));
  const range = from === to ? `${dateText(from)} ${clockText(from)}` : `${dateText(from)} ${clockText(from)} – ${clockText(to)}`;
  const form = h('form', { class: 'dialog-form', method: 'dialog', noValidate: true },
    h('h2', {}, t('bookmark.title')),
    h('p', { class: 'dialog-text' }, t('export.camera', { name: camera.name || camera.id, id: camera.id })),
    h('p', { class: 'dialog-text', id: 'bookmark-range' }, range),
    h('label', { class: 'field' }, h('span', {}, t('bookmark.name')), title),
    h('label', { class: 'field' }, h('span', {}, t('bookmark.note')), note),
    canLock ? h('label', { class: 'check' }, lock, h('span', {}, t('bookmark.lock'))) : null,
    error,
    h('div', { class: 'dialog-actions' }, cancel, submit));
  const dialog = h('dialog', { id: 'bookmark-dialog', class: 'dialog' }, form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!title.value.trim()) {
      error.textContent = t('bookmark.missingTitle');
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      const b = await createBookmark({ camera: camera.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(),
        title: title.value.trim(), note: note.value, lock: canLock && lock.checked });
      dialog.close();
      onSaved?.(b);
    } catch (err) {
      submit.disabled = false;
      error.textContent = err instanceof ApiError && err.status ? err.message : t('error.network');
      error.hidden = false;
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  title.focus();
  return dialog;
}
