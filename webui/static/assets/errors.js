// The gateway's error answers in the chosen language: a toast says
// "无法打开布局：布局不存在或无权查看", not the gateway's English text. Known
// messages have their own key; others are told by their status.

import { t } from './i18n.js';
import './i18n-console.js';

const known = {
  'no such layout': 'error.noSuchLayout',
  'layout_id: no such layout': 'error.noSuchLayout',
  'no such tour': 'error.noSuchTour',
  'tour_id: no such tour': 'error.noSuchTour',
  'no such camera': 'error.noSuchCamera',
  'no such wall': 'error.noSuchWall',
};

const byStatus = {
  400: 'error.badRequest', 403: 'error.forbidden', 404: 'error.notFound', 409: 'error.conflict',
  429: 'error.tooMany', 503: 'error.unavailable',
};

/** A message of the gateway's WebSocket in words: a known one translated, others as they are. */
export function messageText(text) {
  return known[text] ? t(known[text]) : text;
}

/** The words for an error (an ApiError or any other) in the current language. */
export function errorText(err) {
  const status = err?.status;
  if (status === 0) return t('error.network');
  const key = known[err?.message] || byStatus[status];
  if (key) return t(key);
  if (status >= 500) return t('error.internal');
  return t('error.unknown');
}
