// ONVIF discovery on the admin page: one click searches the station network
// (POST /api/onvif/discover), a second click on a device writes the config
// lines that add it as a camera. vigil's cameras come from its config file,
// so the admin pastes the lines under a station's cameras and restarts (or
// reloads) the gateway; the credentials typed here go only into those lines.

import { request } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { idPattern } from './idrule.js';

/** The device's first address as host and port. */
export function deviceHost(xaddr) {
  try {
    const u = new URL(xaddr);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80) };
  } catch {
    return null;
  }
}

/**
 * A camera id made from a device name: runs of other characters than a-z,
 * 0-9 and - become "-"; a name that still breaks the gateway's id rule
 * gives onvif-N.
 */
export function cameraID(name, n) {
  const id = String(name || '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return idPattern.test(id) ? id : `onvif-${n + 1}`;
}

/** The YAML lines of one camera of a station's cameras list. */
export function cameraYAML(dev, n, user, pass) {
  const at = deviceHost(dev.xaddrs?.[0] || '');
  if (!at) return '';
  const q = (s) => JSON.stringify(String(s)); // a JSON string is a YAML double-quoted scalar
  const creds = user ? `, username: ${q(user)}, password: ${q(pass)}` : '';
  return [
    `      - id: ${cameraID(dev.name, n)}`,
    `        name: ${q(dev.name || dev.model || dev.address)}`,
    `        onvif: {host: ${q(at.host)}, port: ${at.port}${creds}}`,
  ].join('\n');
}

/** Builds the discovery part of the admin page. */
export function createDiscovery() {
  let devices = [];
  const status = h('p', { id: 'onvif-status', class: 'page-hint', attrs: { role: 'status' } });
  const body = h('tbody');
  const user = h('input', { id: 'onvif-user', autocomplete: 'off', spellcheck: false });
  const pass = h('input', { id: 'onvif-pass', type: 'password', autocomplete: 'new-password' });
  const snippet = h('pre', { id: 'onvif-snippet', class: 'token-secret', hidden: true });
  const copy = h('button', { id: 'onvif-copy', type: 'button', class: 'btn', hidden: true, on: { click: onCopy } });
  const search = h('button', { id: 'onvif-discover', type: 'button', class: 'btn', on: { click: discover } });
  const el = h('div', { id: 'onvif-discovery' });

  function render() {
    search.textContent = t('onvif.discover');
    copy.textContent = t('onvif.copy');
    el.replaceChildren(
      h('h2', {}, t('onvif.title')),
      h('div', { class: 'inline-form' },
        search,
        h('label', { class: 'field' }, h('span', {}, t('login.username')), user),
        h('label', { class: 'field' }, h('span', {}, t('login.password')), pass)),
      status,
      h('table', { id: 'onvif-devices', class: 'table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'ID'), h('th', {}, t('onvif.model')), h('th', {}, t('onvif.address')), h('th', {}))),
        body),
      snippet, copy);
    renderRows();
  }

  function renderRows() {
    body.replaceChildren(...devices.map((d, i) => h('tr', { dataset: { address: d.address } },
      h('td', {}, d.name || d.address),
      h('td', {}, [d.manufacturer, d.model].filter(Boolean).join(' ')),
      h('td', {}, (d.xaddrs || []).join(' ')),
      h('td', {}, h('button', { type: 'button', class: 'btn', dataset: { onvifAdd: String(i) }, on: { click: () => add(i) } },
        t('onvif.add'))))));
  }

  async function discover() {
    status.textContent = t('onvif.searching');
    search.disabled = true;
    try {
      const res = await request('POST', '/api/onvif/discover');
      devices = (await res.json()).devices || [];
      status.textContent = devices.length ? '' : t('onvif.none');
    } catch (err) {
      devices = [];
      status.textContent = t('onvif.failed', { message: err.message });
    } finally {
      search.disabled = false;
      renderRows();
    }
  }

  function add(i) {
    snippet.textContent = `# ${t('onvif.snippet')}\n${cameraYAML(devices[i], i, user.value.trim(), pass.value)}\n`;
    snippet.hidden = false;
    copy.hidden = false;
  }

  async function onCopy() {
    try {
      await navigator.clipboard.writeText(snippet.textContent);
      copy.textContent = t('onvif.copied');
    } catch { /* clipboard refused: the text stays selectable */ }
  }

  render();
  return { el, render };
}
