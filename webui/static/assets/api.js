// The gateway's HTTP API as the console uses it. Every call sends the session
// cookie (same origin) and turns a non-2xx answer into an ApiError.

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the gateway was not reached
   * @param {string} message the gateway's {"error"} text, if any
   * @param {number} retryAfter seconds from a Retry-After header, else 0
   */
  constructor(status, message, retryAfter = 0) {
    super(message || (status ? `HTTP ${status}` : 'network error'));
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

const unauthorizedListeners = new Set();

/** Calls fn when an authenticated call answers 401 (the session ended). */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/**
 * Sends one request. Options: json (a body to encode), body + contentType
 * (raw body), signal, quiet401 (do not report 401 as a lost session).
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', signal: opts.signal, cache: 'no-store' };
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.json);
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = opts.contentType;
    init.body = opts.body;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, '');
  }
  if (res.ok) return res;
  const error = await errorFrom(res);
  if (res.status === 401 && !opts.quiet401) {
    for (const fn of unauthorizedListeners) fn(error);
  }
  throw error;
}

async function errorFrom(res) {
  let message = '';
  try {
    const body = await res.json();
    message = typeof body.error === 'string' ? body.error : '';
  } catch { /* not JSON */ }
  return new ApiError(res.status, message, parseRetryAfter(res.headers.get('Retry-After')));
}

/** Retry-After as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value) {
  if (!value) return 0;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const when = Date.parse(value);
  return Number.isNaN(when) ? 0 : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

/** The current session {user, role, stations}, or null when logged out. */
export async function getSession() {
  try {
    return await (await request('GET', '/api/session', { quiet401: true })).json();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** Logs in; the gateway sets the session cookie. */
export async function login(username, password) {
  const res = await request('POST', '/api/session', { json: { username, password }, quiet401: true });
  return res.json();
}

export async function logout() {
  try {
    await request('DELETE', '/api/session', { quiet401: true });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
  }
}

/** The stations visible to this user, with their cameras and live status. */
export async function getStations(signal) {
  const body = await (await request('GET', '/api/stations', { signal })).json();
  return Array.isArray(body.stations) ? body.stations : [];
}

/** A list answer: either a bare array or {key: [...]}. */
function listOf(body, key) {
  if (Array.isArray(body)) return body;
  return Array.isArray(body?.[key]) ? body[key] : [];
}

/** The saved layouts this user may open: own and shared ones. */
export async function getLayouts() {
  return listOf(await (await request('GET', '/api/layouts')).json(), 'layouts');
}

export async function getLayout(id) {
  return (await request('GET', `/api/layouts/${encodeURIComponent(id)}`)).json();
}

/** Saves a new layout {name, grid, cameras, shared, station}; returns it with its id. */
export async function createLayout(layout) {
  return (await request('POST', '/api/layouts', { json: layout })).json();
}

export async function updateLayout(id, layout) {
  return (await request('PUT', `/api/layouts/${encodeURIComponent(id)}`, { json: layout })).json();
}

export async function deleteLayout(id) {
  await request('DELETE', `/api/layouts/${encodeURIComponent(id)}`);
}

/** The video walls: [{id, name, layout: {grid, cameras}}]. */
export async function getWalls() {
  return listOf(await (await request('GET', '/api/walls')).json(), 'walls');
}

/** Puts a grid and its cameras on a wall. */
export async function putWall(id, grid, cameras) {
  await request('PUT', `/api/walls/${encodeURIComponent(id)}`, { json: { grid, cameras } });
}
