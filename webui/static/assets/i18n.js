// All user-visible strings of the console, Chinese first, and the helpers that
// apply them. Elements opt in with data-i18n (text), data-i18n-placeholder,
// data-i18n-title and data-i18n-aria-label.

const messages = {
  zh: {
    'app.title': '铁路站区视频监控调度台',
    'app.subtitle': '北京五大火车站区域 · 统一视频接入',
    'lang.switch': 'English',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.submitting': '正在登录…',
    'login.missing': '请输入用户名和密码。',
    'login.bad': '用户名或密码错误。',
    'login.rateLimited': '登录尝试过于频繁，请 {seconds} 秒后再试。',
    'login.rateLimitedNow': '登录尝试过于频繁，请稍后再试。',
    'error.network': '无法连接到网关，请检查网络。',
    'error.server': '网关出错（{status}）：{message}',
    'session.logout': '退出',
    'session.mustChange': '您正在使用初始密码，请尽快修改密码。',
    'session.expired': '登录已过期，请重新登录。',
    'role.admin': '管理员',
    'role.operator': '操作员',
    'role.dispatcher': '调度员',
    'role.viewer': '观看者',
    'summary.online': '在线 {online}/{total}',
    'summary.offline': '离线 {n}',
    'conn.lost': '与网关的连接中断，正在重试…',
    'tree.search': '搜索摄像机（编号或名称）',
    'tree.noMatch': '没有匹配的摄像机。',
    'tree.noStations': '没有可查看的站区。',
    'tree.count': '{online}/{total}',
    'state.online': '在线',
    'state.connecting': '连接中',
    'state.offline': '离线',
    'reason.unauthorized': '摄像机认证失败',
    'reason.unreachable': '摄像机不可达',
    'reason.timeout': '连接超时',
    'reason.not_found': '码流不存在',
    'reason.unsupported_codec': '不支持的编码',
    'reason.stream_error': '码流错误',
    'reason.unknown': '未知原因',
    'player.empty': '从左侧选择摄像机开始播放',
    'player.connecting': '正在连接…',
    'player.playing': '播放中',
    'player.retrying': '连接失败，{seconds} 秒后重试（第 {attempt} 次）',
    'player.stalled': '画面中断，正在重新连接…',
    'player.notFound': '摄像机不存在（404）。',
    'player.forbidden': '您无权查看此摄像机（403）。',
    'player.unauthorized': '登录已过期，请重新登录（401）。',
    'player.unsupported': '此浏览器不支持 WebRTC 播放。',
    'player.stop': '停止',
    'player.stats': '{width}×{height} · {fps} 帧/秒 · {kbps} kb/s',
    'player.statsLost': '丢包 {lost}',
    'wall.title': '视频墙 {id}',
    'wall.pending': '视频墙视图即将推出。',
  },
  en: {
    'app.title': 'Railway Station Video Console',
    'app.subtitle': "Beijing's five station areas · unified video gateway",
    'lang.switch': '中文',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.submitting': 'Signing in…',
    'login.missing': 'Enter your username and password.',
    'login.bad': 'Wrong username or password.',
    'login.rateLimited': 'Too many sign-in attempts. Try again in {seconds} s.',
    'login.rateLimitedNow': 'Too many sign-in attempts. Try again later.',
    'error.network': 'Cannot reach the gateway. Check the network.',
    'error.server': 'Gateway error ({status}): {message}',
    'session.logout': 'Sign out',
    'session.mustChange': 'You are using the initial password. Please change it soon.',
    'session.expired': 'Your session has expired. Please sign in again.',
    'role.admin': 'Administrator',
    'role.operator': 'Operator',
    'role.dispatcher': 'Dispatcher',
    'role.viewer': 'Viewer',
    'summary.online': 'Online {online}/{total}',
    'summary.offline': 'Offline {n}',
    'conn.lost': 'Lost contact with the gateway, retrying…',
    'tree.search': 'Search cameras (id or name)',
    'tree.noMatch': 'No matching cameras.',
    'tree.noStations': 'No station areas to show.',
    'tree.count': '{online}/{total}',
    'state.online': 'Online',
    'state.connecting': 'Connecting',
    'state.offline': 'Offline',
    'reason.unauthorized': 'Camera rejected the credentials',
    'reason.unreachable': 'Camera unreachable',
    'reason.timeout': 'Connection timed out',
    'reason.not_found': 'Stream not found',
    'reason.unsupported_codec': 'Unsupported codec',
    'reason.stream_error': 'Stream error',
    'reason.unknown': 'Unknown reason',
    'player.empty': 'Select a camera on the left to start viewing',
    'player.connecting': 'Connecting…',
    'player.playing': 'Playing',
    'player.retrying': 'Connection failed, retrying in {seconds} s (attempt {attempt})',
    'player.stalled': 'Video stalled, reconnecting…',
    'player.notFound': 'Camera not found (404).',
    'player.forbidden': 'You may not view this camera (403).',
    'player.unauthorized': 'Session expired, please sign in again (401).',
    'player.unsupported': 'This browser cannot play WebRTC video.',
    'player.stop': 'Stop',
    'player.stats': '{width}×{height} · {fps} fps · {kbps} kb/s',
    'player.statsLost': 'lost {lost}',
    'wall.title': 'Video wall {id}',
    'wall.pending': 'The video wall view is coming soon.',
  },
};

export const languages = Object.freeze(Object.keys(messages));
const storageKey = 'vigil.lang';
const listeners = new Set();
let current = initialLanguage();

function initialLanguage() {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved && saved in messages) return saved;
  } catch { /* storage disabled: fall back to Chinese */ }
  return 'zh';
}

/** The current language, "zh" or "en". */
export function lang() {
  return current;
}

/** Translates key, replacing {name} with vars.name. Unknown keys show as-is. */
export function t(key, vars = {}) {
  const text = messages[current][key] ?? messages.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** The display name of a station or camera in the current language. */
export function localName(item) {
  if (!item) return '';
  return (current === 'en' && item.name_en) || item.name || item.id || '';
}

/** Human text for a camera state and reason. */
export function stateText(state, reason) {
  const s = t(`state.${state}`);
  if (state !== 'offline') return s;
  return s + (current === 'en' ? ': ' : '：') + reasonText(reason);
}

export function reasonText(reason) {
  return reason ? t(`reason.${reason}`) : t('reason.unknown');
}

export function setLang(next) {
  if (!(next in messages) || next === current) return;
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch { /* not remembered, still switched */ }
  applyI18n(document);
  for (const fn of listeners) fn(next);
}

export function toggleLang() {
  setLang(current === 'zh' ? 'en' : 'zh');
}

/** Calls fn(lang) after every language switch; returns an unsubscribe. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Fills every data-i18n* element under root with the current language. */
export function applyI18n(root) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.title');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
}

/** For tests: the keys missing from a language. */
export function missingKeys() {
  const out = {};
  const all = new Set(Object.values(messages).flatMap(Object.keys));
  for (const l of languages) out[l] = [...all].filter((k) => !(k in messages[l]));
  return out;
}
