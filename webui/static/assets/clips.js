// The Clips page (dispatchers and up, #clips): the incident clips this user
// may see (own exports; operators and admins everyone's) with status,
// progress, size, what was not recorded, and links to the MP4 and its
// signed manifest. It also wires the tiles' "Export incident" buttons.

import { formatTime } from './admin.js';
import { clipMessage, formatSize, listClips, onClip } from './clipsapi.js';
import { h } from './dom.js';
import { onLangChange, t } from './i18n.js';
import { openExportDialog } from './exportdialog.js';

export { clipMessage };

export function createClips() {
  let clips = [];
  const body = h('tbody');
  const note = h('p', { id: 'clips-status', class: 'page-message', hidden: true });
  const el = h('section', { id: 'clips-view', class: 'view page', hidden: true });

  function render() {
    el.replaceChildren(
      h('div', { class: 'page-head' }, h('h1', {}, t('clips.title')),
        h('button', { id: 'clips-refresh', type: 'button', class: 'btn', on: { click: load } }, t('clips.refresh'))),
      h('p', { class: 'muted' }, t('clips.hint')),
      note,
      h('table', { id: 'clips-table', class: 'table' },
        h('thead', {}, h('tr', {}, ...['created', 'camera', 'range', 'reason', 'exporter', 'status', 'size', 'files']
          .map((c) => h('th', {}, t(`clips.col.${c}`))))),
        body));
    renderRows();
  }

  function renderRows() {
    body.replaceChildren(...clips.map(row));
    note.hidden = clips.length > 0;
    note.textContent = t('clips.empty');
  }

  function row(c) {
    const pct = Math.round((c.status === 'done' ? 1 : c.progress || 0) * 100);
    const status = h('td', { class: `cell-status clip-${c.status}` },
      t(`clips.status.${c.status}`),
      c.status === 'running' ? h('progress', { max: 100, value: pct }) : null,
      c.status === 'running' ? ` ${pct}%` : null,
      c.error ? h('div', { class: 'cell-bad' }, c.error) : null,
      c.missing?.length ? h('div', { class: 'muted' }, t('clips.partial', { n: c.missing.length })) : null);
    const files = c.status === 'done' && c.file
      ? h('td', { class: 'cell-actions' },
        h('a', { class: 'btn btn-small', href: c.file, download: '', dataset: { role: 'download' } }, t('clips.download')),
        h('a', { class: 'btn btn-small', href: c.manifest, download: '' }, t('clips.manifest')))
      : h('td', {});
    return h('tr', { dataset: { clip: c.id, status: c.status } },
      h('td', { class: 'cell-time' }, c.created_at ? formatTime(c.created_at) : ''),
      h('td', {}, c.camera),
      h('td', { class: 'cell-time' }, c.from ? `${formatTime(c.from)} – ${formatTime(c.to)}` : ''),
      h('td', { class: 'cell-detail' }, c.reason || ''),
      h('td', {}, c.exporter || ''),
      status,
      h('td', { class: 'cell-num' }, formatSize(c.size)),
      files);
  }

  async function load() {
    try {
      clips = await listClips();
      renderRows();
    } catch (err) {
      note.hidden = false;
      note.textContent = t('error.server', { status: err.status || 0, message: err.message });
    }
  }

  const offClip = onClip((job) => {
    const i = clips.findIndex((c) => c.id === job.id);
    if (i >= 0) clips[i] = { ...clips[i], ...job };
    else if (job.created_at) clips.unshift(job);
    else return;
    if (!el.hidden) renderRows();
  });
  const offLang = onLangChange(render);
  const onTileClick = (event) => {
    const button = event.target.closest?.('[data-action="export"]');
    const tile = button?.closest('.tile');
    if (!tile?.dataset.camera) return;
    event.stopPropagation();
    openExportDialog({ id: tile.dataset.camera, name: tile.querySelector('.tile-name')?.textContent || '' });
  };
  document.addEventListener('click', onTileClick, true);
  document.body.classList.add('can-export');
  render();
  return {
    el,
    open: load,
    /** Removes the tile buttons' wiring (logout). */
    close() {
      offClip();
      offLang();
      document.removeEventListener('click', onTileClick, true);
      document.body.classList.remove('can-export');
    },
  };
}
