// Incident clip export over the API (POST/GET /api/clips) and the jobs the
// console knows of, kept up to date by the WebSocket's "clip" messages
// (clipMessage) so that the dialog and the Clips page show live progress.

import { request } from './api.js';

const jobs = new Map(); // id → job as GET /api/clips/{id} gives it
const listeners = new Set();

/** Starts an export: {camera, from, to, reason} with ISO times → the job. */
export async function createClip(body) {
  const job = await (await request('POST', '/api/clips', { json: body })).json();
  merge(job);
  return job;
}

/** The jobs this user may see, newest first (and remembers them). */
export async function listClips() {
  const { clips } = await (await request('GET', '/api/clips')).json();
  for (const job of clips) merge(job);
  return clips;
}

export async function getClip(id) {
  const job = await (await request('GET', `/api/clips/${encodeURIComponent(id)}`)).json();
  merge(job);
  return job;
}

/** A "clip" message of the console WebSocket: {id, camera, status, progress, size, error}. */
export function clipMessage(m) {
  if (typeof m.id !== 'string') return;
  const job = merge({ id: m.id, camera: m.camera, status: m.status, progress: m.progress, size: m.size || 0, error: m.error || '' });
  if (m.status === 'done' && !job.file) getClip(m.id).catch(() => {}); // fetch the links, hash and missing ranges
}

function merge(update) {
  const job = Object.assign(jobs.get(update.id) || {}, update);
  jobs.set(update.id, job);
  for (const fn of listeners) fn(job);
  return job;
}

/** Calls fn(job) on every change of a job; returns an unsubscribe. */
export function onClip(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function knownClip(id) {
  return jobs.get(id);
}

/** Bytes as KB/MB. */
export function formatSize(n) {
  if (!n) return '–';
  if (n < 1 << 20) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1 << 20)).toFixed(1)} MB`;
}
