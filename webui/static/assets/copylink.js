// Copying a link for a dispatcher to share. The Clipboard API needs a
// secure context (https or localhost); on plain http the text is copied
// through a selected, hidden text field instead.

import { h } from './dom.js';
import { t } from './i18n.js';
import './i18n-console.js';
import { toast } from './toast.js';

/** Copies text to the clipboard; resolves to whether it worked. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* denied: try the old way */ }
  const field = h('textarea', { class: 'copy-buffer', readOnly: true, attrs: { 'aria-hidden': 'true' } }, text);
  document.body.append(field);
  field.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch { /* not supported */ }
  field.remove();
  return ok;
}

/** The shareable URL of a saved layout (a station default: the station's view). */
export function layoutURL(l) {
  const query = l.default && l.station ? `?station=${encodeURIComponent(l.station)}` : `?layout=${encodeURIComponent(l.id)}`;
  return `${location.origin}/${query}`;
}

/** Copies a layout's link and says so; the toast shows the link either way. */
export async function copyLayoutLink(l) {
  const url = layoutURL(l);
  const ok = await copyText(url);
  toast(ok ? t('layouts.linkCopied', { url }) : url, ok ? 'ok' : 'error');
}
