// An audit entry's details in words, in the chosen language: "视频墙 main ·
// 画面 2×2 · 来源 IP 10.0.0.5" rather than "wall=main · grid=2x2 · ip=…".
// Known keys have a label and, where it helps, their values a word
// (via tile → 调度台窗格, quality sub → 子码流); seconds read as durations.

import { extendMessages, t } from './i18n.js';

const labels = {
  ip: ['来源 IP', 'from IP'], via: ['方式', 'via'], tile: ['窗格', 'tile'], quality: ['码流', 'stream'],
  duration_s: ['时长', 'duration'], reason: ['原因', 'reason'], wall: ['视频墙', 'wall'], grid: ['画面', 'grid'],
  cameras: ['摄像机', 'cameras'], layout_id: ['布局', 'layout'], tour: ['轮巡', 'tour'], id: ['编号', 'id'],
  name: ['名称', 'name'], role: ['角色', 'role'], stations: ['站区', 'stations'], target: ['对象', 'target'],
  result: ['结果', 'result'], ok: ['成功', 'succeeded'], from: ['开始', 'from'], to: ['结束', 'to'],
  size: ['大小', 'size'], owner: ['所有者', 'owner'], phase: ['阶段', 'phase'], took_s: ['耗时', 'took'],
  missing_s: ['缺失录像', 'missing recording'], locked_s: ['锁定', 'locked for'], grace_s: ['宽限', 'grace'],
  revoked: ['失效', 'revoked'], sessions: ['登录', 'sessions'], session: ['登录', 'session'],
  must_change_password: ['须改密码', 'must change password'], scope: ['范围', 'scope'], token: ['令牌', 'token'],
  range: ['范围', 'range'], config: ['配置', 'config'], tls: ['TLS', 'TLS'],
};

const values = {
  'via.tile': ['调度台窗格', 'console tile'], 'via.whep': ['WHEP 播放器', 'WHEP player'],
  'quality.main': ['主码流', 'main stream'], 'quality.sub': ['子码流', 'sub stream'],
  'ok.true': ['是', 'yes'], 'ok.false': ['否', 'no'],
  'must_change_password.true': ['是', 'yes'], 'must_change_password.false': ['否', 'no'],
  'phase.drain': ['排空', 'drain'], 'phase.stop': ['停止', 'stop'],
};

const zh = {};
const en = {};
for (const [k, [z, e]] of Object.entries(labels)) {
  zh[`audit.detail.${k}`] = z;
  en[`audit.detail.${k}`] = e;
}
for (const [k, [z, e]] of Object.entries(values)) {
  zh[`audit.value.${k}`] = z;
  en[`audit.value.${k}`] = e;
}
Object.assign(zh, { 'audit.seconds': '{n} 秒', 'audit.minutes': '{m} 分 {s} 秒' });
Object.assign(en, { 'audit.seconds': '{n} s', 'audit.minutes': '{m} min {s} s' });
extendMessages('zh', zh);
extendMessages('en', en);

/** A known key's label, else the key itself. */
function label(key) {
  const k = `audit.detail.${key}`;
  const text = t(k);
  return text === k ? key : text;
}

/** A value in words: a known value's word, seconds as a duration, lists joined. */
function value(key, v) {
  if (Array.isArray(v)) return v.filter((x) => x !== '').join('、') || '—';
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  if (key.endsWith('_s') && typeof v === 'number') return duration(v);
  if (key === 'tile' && typeof v === 'number') return String(v + 1);
  const k = `audit.value.${key}.${v}`;
  const text = t(k);
  return text === k ? String(v) : text;
}

function duration(n) {
  const s = Math.round(n);
  if (s < 60) return t('audit.seconds', { n: s });
  return t('audit.minutes', { m: Math.floor(s / 60), s: s % 60 });
}

/** The detail object of an audit entry in words. */
export function detailWords(detail) {
  if (!detail || typeof detail !== 'object') return '';
  return Object.entries(detail).map(([k, v]) => `${label(k)} ${value(k, v)}`).join(' · ');
}
