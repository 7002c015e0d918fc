// A camera's recording state as GET /api/stations reports it ("record",
// "recording": {state, reason}): one line in the tree's tooltip, and on a
// tile a badge when the camera is shown but not recorded (a codec
// recordings cannot hold, a paused recorder), so nobody trusts a green
// tile to be on record.

import { h } from './dom.js';
import { reasonText, t } from './i18n.js';

const problems = new Set(['paused', 'unsupported']);

/** The tooltip line for cam's recording; '' when the gateway said nothing. */
export function recordingLine(cam) {
  const r = cam?.recording;
  if (!r) return cam?.record === false ? t('rec.line', { state: t('rec.off') }) : '';
  let state;
  switch (r.state) {
    case 'recording': state = t('rec.recording'); break;
    case 'paused': state = t('rec.paused', { reason: reasonText(r.reason) }); break;
    case 'unsupported': state = t('rec.unsupported', { reason: reasonText(r.reason) }); break;
    default: state = t('rec.idle');
  }
  return t('rec.line', { state });
}

/** 'paused' or 'unsupported' when cam is not being recorded though it should be; else ''. */
export function recordingProblem(cam) {
  const s = cam?.recording?.state;
  return problems.has(s) ? s : '';
}

/** Shows or hides the tile's recording badge (created on first use, in the tile's head). */
export function renderRecordingBadge(tile) {
  if (!tile.recEl) {
    tile.recEl = h('span', { class: 'tile-rec', attrs: { role: 'status' } });
    tile.chip.before(tile.recEl);
  }
  const problem = recordingProblem(tile.camera);
  tile.recEl.hidden = !problem;
  tile.recEl.className = problem ? `tile-rec tile-rec-${problem}` : 'tile-rec';
  tile.recEl.textContent = problem ? t(`rec.badge.${problem}`) : '';
  tile.recEl.title = problem ? recordingLine(tile.camera) : '';
}
