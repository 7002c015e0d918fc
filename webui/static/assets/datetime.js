// Dates and times as the dispatchers write them: 24-hour
// "YYYY-MM-DD HH:MM:SS" in local time, in either language (toLocaleString
// gives "2026/12/6 06:10:00" in Chinese and a 12-hour clock in English).

const pad = (n) => String(n).padStart(2, '0');

/** "YYYY-MM-DD HH:MM:SS" of a Date (or an ISO string); "" for an invalid one. */
export function formatDateTime(value) {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Reads "YYYY-MM-DD HH:MM[:SS]" (or with a "T") in local time; null when it
 * is not such a date.
 */
export function parseDateTime(text) {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*$/.exec(text || '');
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x || 0));
  const date = new Date(y, mo - 1, d, h, mi, s);
  const same = date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d &&
    date.getHours() === h && date.getMinutes() === mi;
  return same && s < 60 ? date : null;
}
