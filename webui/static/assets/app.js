// The console's entry point: session check and login, the top bar, the
// station data (GET /api/stations, then live "camera" messages over the
// WebSocket, with a slow poll as a fallback), and the view: the live console
// at "/", or the wall kiosk at "/wall/{id}".
//
// Views live in sections under #console-view; the top bar's #topnav links
// to them. A later view (e.g. administration) adds a link there and a
// section beside #live-view.

import { forcePasswordChange, mountAccess, unmountAccess } from './access.js';
import { clipMessage } from './clipsapi.js';
import { alarmMessage, loadOpen } from './alarmsapi.js';
import { createAlarms } from './alarms.js';
import { createOverview } from './overview.js';
import { roleAtLeast } from './layouts.js';
import { ApiError, getSession, getStations, logout, onUnauthorized } from './api.js';
import { $, show } from './dom.js';
import { applyI18n, onLangChange, t, toggleLang } from './i18n.js';
import { formatDateTime } from './datetime.js';
import { messageText } from './errors.js';
import { createFavourites } from './favourites.js';
import { createLive } from './live.js';
import { createLogin } from './login.js';
import { toast } from './toast.js';
import { cameraState, createTree } from './tree.js';
import { createWall } from './wall.js';

const pollEvery = 30000; // ms; camera messages carry changes, the poll is a fallback

const app = {
  session: null,
  stations: [],
  pollTimer: 0,
  pollAbort: null,
  clockTimer: 0,
  renderQueued: false,
  view: null, // the live console or the wall kiosk
};

const wallID = decodeURIComponent(location.pathname.match(/^\/wall\/([^/]+)$/)?.[1] || '');

const login = createLogin({ onLoggedIn: (res) => enter(res) });
const tree = createTree($('#tree'), $('#tree-empty'), {
  onSelect: (cam) => app.view?.put?.(cam),
  onStar: (id) => favourites.toggle(id),
});
const favourites = createFavourites((ids) => tree.setFavourites(ids));

function start() {
  document.body.classList.toggle('kiosk', Boolean(wallID));
  applyI18n(document);
  for (const btn of document.querySelectorAll('.lang-toggle')) btn.addEventListener('click', toggleLang);
  $('#logout').addEventListener('click', signOut);
  $('#search').addEventListener('input', (e) => tree.setFilter(e.target.value));
  onLangChange(renderTop);
  onUnauthorized(() => app.session && leave('session.expired'));
  resume();
}

/** Asks the gateway whether a session exists; shows the view or the login. */
async function resume() {
  try {
    const session = await getSession();
    show($('#boot'), false);
    if (session) enter(session);
    else login.show();
  } catch {
    setTimeout(resume, 3000); // the gateway is unreachable: keep the spinner and try again
  }
}

function makeView() {
  const hooks = {
    onLink: linkStatus,
    onCamera: cameraMessage,
    onClip: clipMessage, // an export's progress (clips.js, exportdialog.js)
    onAlarm: alarmMessage, // alarms.js, overview.js
    onError: (message) => !wallID && toast(t('gateway.error', { message: messageText(message) }), 'error'),
    onUnauthorized: () => app.session && leave('session.expired'),
    refreshStations: () => poll(),
  };
  if (wallID) return createWall(wallID, { lookup, hooks });
  return createLive({ tree, stations: () => app.stations, session: () => app.session, lookup, hooks });
}

async function enter(session) {
  app.session = session;
  login.hide();
  show($('#boot'), false);
  if (session.must_change_password) {
    // The gateway refuses everything else until the password is changed.
    forcePasswordChange({ onChanged: () => location.reload(), onSignOut: signOut });
    return;
  }
  show(wallID ? $('#wall-view') : $('#console-view'), true);
  show($('#password-warning'), Boolean(session.must_change_password) && !wallID);
  app.view ??= makeView();
  if (!wallID) mountAccess(session);
  if (!wallID) mountAlarms(session);
  renderTop();
  startClock();
  await poll();
  if (!wallID) favourites.load();
  app.view.start(location.search);
}

/** Back to the login form, e.g. after logout or when the session expired. */
function leave(noticeKey) {
  app.session = null;
  clearTimeout(app.pollTimer);
  app.pollAbort?.abort();
  clearInterval(app.clockTimer);
  app.view?.stop();
  unmountAccess();
  app.alarms?.destroy();
  app.overview?.destroy();
  app.alarms = app.overview = null;
  show($('#console-view'), false);
  show($('#wall-view'), false);
  login.show(noticeKey);
}

async function signOut() {
  try {
    await logout();
  } catch { /* the cookie ends with the session anyway */ }
  leave();
}

/** Fetches /api/stations now and every pollEvery ms while logged in. */
async function poll() {
  clearTimeout(app.pollTimer);
  app.pollAbort?.abort();
  app.pollAbort = new AbortController();
  try {
    app.stations = await getStations(app.pollAbort.signal);
    stationsChanged();
  } catch (err) {
    if (err.name === 'AbortError' || (err instanceof ApiError && err.status === 401)) return;
  }
  if (app.session) app.pollTimer = setTimeout(poll, pollEvery);
}

function stationsChanged() {
  tree.update(app.stations);
  app.view?.stationsChanged();
  app.alarms?.badges();
  app.overview?.refresh();
  renderTop();
}

/** The alarm panel and the station overview (alarms.js, overview.js). */
function mountAlarms(session) {
  const stations = () => app.stations;
  app.alarms = createAlarms({
    lookup, stations, canAck: roleAtLeast(session.role, 'dispatcher'),
    put: (cam) => backToLive(() => app.view.put(cam)),
    playFrom: (cam, start) => backToLive(() => app.view.playFrom(cam, start)),
  });
  app.overview = createOverview({ stations, put: (cam) => app.view.put(cam) });
}

/** Runs fn on the live view, leaving another page (#overview, #clips) first. */
function backToLive(fn) {
  if (location.hash) {
    history.pushState(null, '', location.pathname + location.search);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
  fn();
}

/** A health change of one camera: merge it and redraw once per frame. */
function cameraMessage(m) {
  const found = lookup(m.id);
  if (!found) return;
  for (const key of ['state', 'reason', 'codec', 'width', 'height', 'fps', 'bitrate']) {
    if (m[key] !== undefined) found.camera[key] = m[key];
  }
  if (m.state !== undefined && m.reason === undefined) found.camera.reason = ''; // left out: none
  if (app.renderQueued) return;
  app.renderQueued = true;
  requestAnimationFrame(() => {
    app.renderQueued = false;
    stationsChanged();
  });
}

/** The camera with id and its station, from the current station data. */
function lookup(id) {
  for (const station of app.stations) {
    for (const camera of station.cameras || []) if (camera.id === id) return { camera, station };
  }
  return null;
}

let link = { state: 'connecting' };

/** The media connection's state, shown in the top bar when it is not up. */
function linkStatus(s) {
  link = s;
  renderLink();
  if (s.state === 'ready' && s.attempt > 0) {
    poll(); // catch up on camera messages missed while down
    if (app.alarms) loadOpen().catch(() => {}); // and on alarms
  }
}

function renderLink() {
  const down = link.state === 'reconnecting' || (link.state === 'connecting' && link.attempt > 0);
  let text = '';
  if (link.state === 'reconnecting') text = t('link.reconnecting', { seconds: Math.ceil(link.seconds), attempt: link.attempt });
  else if (down) text = t('link.connecting', { attempt: link.attempt });
  for (const el of [$('#conn-warning'), $('#wall-link')]) {
    el.textContent = text;
    show(el, down);
  }
}

function renderTop() {
  const s = app.session;
  if (!s) return;
  renderLink();
  $('#user-badge').textContent = `${s.user} · ${t(`role.${s.role}`)}`;
  const cams = app.stations.flatMap((st) => st.cameras || []);
  const online = cams.filter((c) => cameraState(c) === 'online').length;
  const offline = cams.filter((c) => cameraState(c) === 'offline').length;
  const summary = $('#summary');
  summary.replaceChildren(t('summary.online', { online, total: cams.length }));
  if (offline > 0) {
    const bad = document.createElement('span');
    bad.className = 'summary-offline';
    bad.textContent = t('summary.offline', { n: offline });
    summary.append(bad);
  }
}

function startClock() {
  const els = [$('#clock'), $('#wall-clock')];
  const tick = () => {
    const now = formatDateTime(new Date());
    for (const el of els) el.textContent = now;
  };
  clearInterval(app.clockTimer);
  tick();
  app.clockTimer = setInterval(tick, 1000);
}

start();
