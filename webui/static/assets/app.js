// The console's entry point: session check, login, the station tree with its
// status poll, and the player stage. Later views (grids, walls) plug in here.

import { ApiError, getSession, getStations, logout, onUnauthorized } from './api.js';
import { $, show } from './dom.js';
import { applyI18n, onLangChange, t, toggleLang } from './i18n.js';
import { createLogin } from './login.js';
import { Tile } from './tile.js';
import { cameraState, createTree } from './tree.js';

const pollEvery = 5000; // ms; the WebSocket will push changes later

const app = {
  session: null,
  stations: [],
  pollTimer: 0,
  pollAbort: null,
  clockTimer: 0,
};

const params = new URLSearchParams(location.search);
const wallID = location.pathname.match(/^\/wall\/([^/]+)$/)?.[1] || '';

const login = createLogin({ onLoggedIn: (res) => enter(res) });
const tree = createTree($('#tree'), $('#tree-empty'), { onSelect: (cam, st) => select(cam, st) });
const tile = new Tile({ onStop: () => select(null), emptyKey: wallID ? 'wall.pending' : 'player.empty' });

function start() {
  applyI18n(document);
  for (const btn of document.querySelectorAll('.lang-toggle')) btn.addEventListener('click', toggleLang);
  $('#logout').addEventListener('click', signOut);
  $('#search').addEventListener('input', (e) => tree.setFilter(e.target.value));
  $('#stage').append(tile.el);
  onLangChange(renderTop);
  onUnauthorized(() => app.session && leave('session.expired'));
  resume();
}

/** Asks the gateway whether a session exists; shows the console or the login. */
async function resume() {
  try {
    const session = await getSession();
    show($('#boot'), false);
    if (session) enter(session);
    else login.show();
  } catch {
    // The gateway is unreachable: keep the spinner and try again.
    setTimeout(resume, 3000);
  }
}

function enter(session) {
  app.session = session;
  login.hide();
  show($('#boot'), false);
  show($('#console-view'), true);
  show($('#password-warning'), Boolean(session.must_change_password));
  renderTop();
  startClock();
  poll(true);
}

/** Back to the login form, e.g. after logout or when the session expired. */
function leave(noticeKey) {
  app.session = null;
  clearTimeout(app.pollTimer);
  app.pollAbort?.abort();
  clearInterval(app.clockTimer);
  tile.stop();
  show($('#console-view'), false);
  login.show(noticeKey);
}

async function signOut() {
  try {
    await logout();
  } catch { /* the cookie ends with the session anyway */ }
  leave();
}

/** Fetches /api/stations now and every pollEvery ms while logged in. */
async function poll(first = false) {
  clearTimeout(app.pollTimer);
  app.pollAbort = new AbortController();
  try {
    app.stations = await getStations(app.pollAbort.signal);
    show($('#conn-warning'), false);
    tree.update(app.stations);
    refreshTile();
    renderTop();
    if (first) openFromURL();
  } catch (err) {
    if (err.name === 'AbortError' || (err instanceof ApiError && err.status === 401)) return;
    const warn = $('#conn-warning');
    warn.textContent = t('conn.lost');
    show(warn, true);
  }
  if (app.session) app.pollTimer = setTimeout(poll, pollEvery);
}

/** Honours ?cameras=ID,… and ?station=ID (the first camera for now). */
function openFromURL() {
  const wanted = (params.get('cameras') || '').split(',').filter(Boolean);
  let cam = wanted.map((id) => tree.camera(id)).find(Boolean);
  const station = params.get('station');
  if (!cam && station) {
    const st = tree.station(station);
    const id = st?.layout?.cameras?.[0] || st?.cameras?.[0]?.id;
    cam = id ? tree.camera(id) : null;
  }
  if (cam) select(cam, tree.stationOf(cam.id), false);
}

function select(cam, station, updateURL = true) {
  tree.setSelected(cam?.id);
  if (cam) tile.play(cam, station || tree.stationOf(cam.id));
  if (updateURL && !wallID) {
    const url = new URL(location.href);
    url.search = cam ? `?cameras=${encodeURIComponent(cam.id)}` : '';
    history.replaceState(null, '', url);
  }
}

function refreshTile() {
  const id = tile.camera?.id;
  if (id) tile.updateCamera(tree.camera(id), tree.stationOf(id));
}

function renderTop() {
  const s = app.session;
  if (!s) return;
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
  if (wallID) summary.append(` · ${t('wall.title', { id: wallID })}`);
}

function startClock() {
  const el = $('#clock');
  const tick = () => {
    el.textContent = new Date().toLocaleString('zh-CN', { hour12: false });
  };
  clearInterval(app.clockTimer);
  tick();
  app.clockTimer = setInterval(tick, 1000);
}

start();
