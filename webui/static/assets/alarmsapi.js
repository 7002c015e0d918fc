// The alarm API (GET /api/alarms, POST /api/alarms/{id}/ack) and the
// console's shared alarm state: every open alarm by id, kept current by
// the WebSocket's {"type":"alarm","alarm":{…}} messages.

import { request } from './api.js';

/** Alarm types, in the order the panel's filter lists them. */
export const alarmTypes = ['camera_offline', 'video_loss', 'frozen_image', 'black_image', 'bitrate_drop',
  'recording_failed', 'disk_low', 'transcoder_failed', 'node_down'];

/** Types that sound when raised: the picture or the recording is gone. */
export const critical = new Set(['camera_offline', 'video_loss', 'frozen_image', 'black_image',
  'recording_failed', 'node_down']);

export async function listAlarms(query = {}) {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
  const res = await request('GET', `/api/alarms?${q}`);
  return (await res.json()).alarms || [];
}

export async function ackAlarm(id, note) {
  const res = await request('POST', `/api/alarms/${encodeURIComponent(id)}/ack`, { json: { note } });
  return res.json();
}

const open = new Map(); // id → alarm, not cleared
const listeners = new Set();

/** The open alarms, newest first. */
export function openAlarms() {
  return [...open.values()].sort((a, b) => String(b.raised_at).localeCompare(String(a.raised_at)));
}

/** Calls fn(alarm, isNew) on every change; returns the unsubscribe. */
export function onAlarms(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Loads the open alarms (at start, and after the link was down). */
export async function loadOpen() {
  const list = await listAlarms({ state: 'open' });
  open.clear();
  for (const a of list) open.set(a.id, a);
  for (const fn of listeners) fn(null, false);
}

/** A WebSocket alarm message. */
export function alarmMessage(msg) {
  const a = msg.alarm;
  if (!a?.id) return;
  const isNew = !open.has(a.id) && a.state === 'active' && a.count === 1;
  if (a.state === 'cleared') open.delete(a.id);
  else open.set(a.id, a);
  for (const fn of listeners) fn(a, isNew);
}

/** Open alarms by station id. */
export function countByStation() {
  const n = new Map();
  for (const a of open.values()) n.set(a.station, (n.get(a.station) || 0) + 1);
  return n;
}
