// Access control as the console uses it: users, API tokens, the own
// password and the audit log (admin routes answer 403 to other roles).

import { request } from './api.js';

const json = async (res) => (res.status === 204 ? null : res.json());

export async function getUsers() {
  return (await json(await request('GET', '/api/users'))).users || [];
}

/** user: {username, password, role, stations, must_change_password} */
export async function createUser(user) {
  return json(await request('POST', '/api/users', { json: user }));
}

/** change: any of {role, stations, disabled, password} */
export async function updateUser(name, change) {
  return json(await request('PUT', `/api/users/${encodeURIComponent(name)}`, { json: change }));
}

export async function deleteUser(name) {
  await request('DELETE', `/api/users/${encodeURIComponent(name)}`);
}

/** Ends every login session of the user; returns how many. */
export async function revokeSessions(name) {
  return (await json(await request('DELETE', `/api/users/${encodeURIComponent(name)}/sessions`))).revoked;
}

export async function getTokens() {
  return (await json(await request('GET', '/api/tokens'))).tokens || [];
}

/** Returns the new token with its secret (shown only this once). */
export async function createToken(name) {
  return json(await request('POST', '/api/tokens', { json: { name } }));
}

export async function revokeToken(id) {
  await request('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
}

export async function changePassword(oldPassword, newPassword) {
  await request('PUT', '/api/session/password', { json: { old: oldPassword, new: newPassword } });
}

/** query: {user, camera, action, from, to, limit, before}; returns {entries, next_before}. */
export async function getAudit(query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== '' && v !== undefined && v !== null && v !== 0) q.set(k, v);
  return json(await request('GET', `/api/audit?${q}`));
}
