// Access control in the console: the top bar's links to the admin and
// audit pages (admins), the change-password button (everyone) and the
// forced password change. Pages are sections beside #live-view, chosen by
// the URL's hash (#admin, #audit), so they can be bookmarked and the live
// view keeps running underneath.

import { createAdmin } from './admin.js';
import { createAudit } from './audit.js';
import { createClips } from './clips.js';
import { $, h } from './dom.js';
import { t } from './i18n.js';
import { roleAtLeast } from './layouts.js';
import { openPasswordDialog } from './password.js';

let mounted = null;

/** Adds the links and pages session's user may use. */
export function mountAccess(session) {
  unmountAccess();
  const pages = {};
  const added = [];
  const nav = $('#topnav');
  if (session.role === 'admin' && nav) {
    pages.admin = createAdmin({ me: session.user });
    pages.audit = createAudit();
    for (const id of ['admin', 'audit']) {
      const link = h('a', { id: `nav-${id}`, href: `#${id}`, class: 'topnav-item', dataset: { view: id, i18n: `nav.${id}` } }, t(`nav.${id}`));
      nav.append(link);
      $('#console-view').append(pages[id].el);
      added.push(link, pages[id].el);
    }
  }
  if (roleAtLeast(session.role, 'dispatcher') && nav) {
    pages.clips = createClips(); // also wires the tiles' export buttons
    const link = h('a', { id: 'nav-clips', href: '#clips', class: 'topnav-item', dataset: { view: 'clips', i18n: 'nav.clips' } }, t('nav.clips'));
    nav.querySelector('[data-view="live"]')?.after(link);
    $('#console-view').append(pages.clips.el);
    added.push(link, pages.clips.el);
  }
  const button = h('button', { id: 'change-password', type: 'button', class: 'btn btn-ghost', dataset: { i18n: 'password.open' },
    on: { click: () => openPasswordDialog() } }, t('password.open'));
  $('#logout')?.before(button);
  added.push(button);

  const route = () => showPage(pages, location.hash.slice(1));
  const onNav = (event) => {
    const link = event.target.closest?.('[data-view]');
    if (link?.dataset.view === 'live' && location.hash) {
      event.preventDefault(); // back to the running live view, no reload
      history.pushState(null, '', location.pathname + location.search);
      route();
    }
  };
  window.addEventListener('hashchange', route);
  nav?.addEventListener('click', onNav);
  mounted = { added, route, onNav, nav, pages };
  route();
}

/** Removes everything mountAccess added (logout). */
export function unmountAccess() {
  if (!mounted) return;
  window.removeEventListener('hashchange', mounted.route);
  mounted.nav?.removeEventListener('click', mounted.onNav);
  for (const el of mounted.added) el.remove();
  for (const p of Object.values(mounted.pages)) p.close?.();
  showPage({}, '');
  mounted = null;
}

/**
 * The forced password change after an admin set the password: nothing
 * else works until it is done (the gateway answers 403 meanwhile).
 */
export function forcePasswordChange({ onChanged, onSignOut }) {
  return openPasswordDialog({ forced: true, onChanged, onSignOut });
}

function showPage(pages, id) {
  const page = pages[id];
  const live = $('#live-view');
  if (live) live.hidden = Boolean(page);
  for (const p of Object.values(pages)) {
    p.el.hidden = p !== page;
    if (p === page) p.open();
  }
  for (const link of document.querySelectorAll('#topnav [data-view]')) {
    const active = page ? link.dataset.view === id : link.dataset.view === 'live';
    link.classList.toggle('active', active);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}
