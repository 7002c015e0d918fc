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
async function request(method, path, opts = {}) {
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

/**
 * WHEP (RFC 9725): posts an SDP offer, returns {answer, location} where
 * location is the absolute URL of the session resource.
 */
export async function whepOffer(cameraID, offerSDP, signal) {
  const path = `/api/whep/${encodeURIComponent(cameraID)}`;
  const res = await request('POST', path, { body: offerSDP, contentType: 'application/sdp', signal });
  const answer = await res.text();
  const loc = res.headers.get('Location');
  return { answer, location: loc ? new URL(loc, res.url).href : '' };
}

/** Ends a WHEP session; errors are ignored (the gateway times it out anyway). */
export async function whepDelete(location) {
  if (!location) return;
  try {
    await request('DELETE', location, { quiet401: true });
  } catch { /* best effort */ }
}
