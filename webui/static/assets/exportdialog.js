// The "Export incident" dialog of a tile: a time range (default the last
// five minutes), a required reason, then the export's progress as the
// gateway reports it over the console WebSocket, and the download when done.

import { ApiError } from './api.js';
import { createClip, formatSize, onClip } from './clipsapi.js';
import { formatDateTime, parseDateTime } from './datetime.js';
import { h } from './dom.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';

const defaultSpan = 5 * 60 * 1000; // ms
const maxReason = 500;

/**
 * Opens the dialog for camera {id, name}; range {from, to} (ms, marked on
 * the timeline) fills the times, else the last five minutes.
 */
export function openExportDialog(camera, range = null) {
  document.querySelector('#export-dialog')?.remove();
  const now = new Date();
  // 24-hour "YYYY-MM-DD HH:MM:SS" text: datetime-local follows the
  // browser's locale (a 12-hour clock, month first), not the console's.
  const timeInput = (id, value) => h('input', {
    id, type: 'text', required: true, value: formatDateTime(value), placeholder: 'YYYY-MM-DD HH:MM:SS',
    autocomplete: 'off', spellcheck: false, class: 'input-datetime',
  });
  const from = timeInput('export-from', range ? new Date(Math.floor(range.from / 1000) * 1000) : new Date(now.getTime() - defaultSpan));
  const to = timeInput('export-to', range ? new Date(Math.ceil(range.to / 1000) * 1000) : now);
  const reason = h('textarea', { id: 'export-reason', rows: 3, maxLength: maxReason, required: true, placeholder: t('export.reasonHint') });
  const error = h('p', { id: 'export-error', class: 'login-error', attrs: { role: 'alert' }, hidden: true });
  const note = h('p', { id: 'export-note', class: 'export-note', hidden: true });
  const bar = h('progress', { id: 'export-bar', max: 1, value: 0 });
  const status = h('span', { id: 'export-status' });
  const progress = h('div', { id: 'export-progress', class: 'export-progress', hidden: true }, bar, status);
  const links = h('div', { class: 'export-links', hidden: true });
  const submit = h('button', { id: 'export-submit', type: 'submit', class: 'btn btn-primary' }, t('export.submit'));
  const close = h('button', { type: 'button', class: 'btn', on: { click: () => dialog.close() } }, t('export.cancel'));
  const field = (key, control) => h('label', { class: 'field' }, h('span', {}, t(key)), control);
  const form = h('form', { class: 'dialog-form', method: 'dialog', noValidate: true },
    h('h2', {}, t('export.title')),
    h('p', { class: 'dialog-text' }, t('export.camera', { name: camera.name || camera.id, id: camera.id })),
    h('div', { class: 'export-range' }, field('export.from', from), field('export.to', to)),
    field('export.reason', reason), error, progress, note, links,
    h('div', { class: 'dialog-actions' }, close, submit));
  const dialog = h('dialog', { id: 'export-dialog', class: 'dialog export-dialog' }, form);
  let jobID = '';

  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
  };
  const unsubscribe = onClip((job) => job.id === jobID && render(job));

  function render(job) {
    progress.hidden = false;
    progress.dataset.status = job.status;
    bar.value = job.status === 'done' ? 1 : job.progress || 0;
    status.textContent = t(`clips.status.${job.status}`) +
      (job.status === 'running' ? ` ${Math.round((job.progress || 0) * 100)}%` : '') +
      (job.status === 'done' ? ` · ${formatSize(job.size)}` : '') +
      (job.status === 'failed' && job.error ? ` · ${job.error}` : '');
    if (job.status === 'done' && job.file) {
      links.replaceChildren(
        h('a', { id: 'export-download', class: 'btn btn-primary', href: job.file, download: '' }, t('clips.download')),
        h('a', { class: 'btn', href: job.manifest, download: '' }, t('clips.manifest')));
      links.hidden = false;
    }
    note.hidden = !job.missing?.length;
    note.textContent = note.hidden ? '' : t('clips.partial', { n: job.missing.length });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const f = parseDateTime(from.value);
    const e = parseDateTime(to.value);
    if (!f || !e || e <= f) return fail(t('export.badRange'));
    if (!reason.value.trim()) return fail(t('export.missingReason'));
    submit.disabled = true;
    try {
      const job = await createClip({ camera: camera.id, from: f.toISOString(), to: e.toISOString(), reason: reason.value.trim() });
      jobID = job.id;
      dialog.dataset.clip = job.id;
      for (const el of [from, to, reason]) el.disabled = true;
      submit.hidden = true;
      close.textContent = t('export.close');
      render(job);
    } catch (err) {
      submit.disabled = false;
      if (!(err instanceof ApiError) || err.status === 0) fail(t('error.network'));
      else if (err.status === 422) fail(t('export.noRecording'));
      else fail(errorText(err));
    }
  });
  dialog.addEventListener('close', () => {
    unsubscribe();
    dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
  return dialog;
}
