// The timeline's arithmetic, kept apart from the DOM so it reads (and is
// checked) on its own: the zoom levels from one minute to seven days, the
// window a level shows around a time, time ↔ position, tick marks, the
// speeds, and 24-hour clock text in the console's local time.

const minute = 60 * 1000;
const hour = 60 * minute;
const day = 24 * hour;

/** Zoom levels: the width of the window, in ms, smallest first. */
export const zooms = Object.freeze([minute, 5 * minute, 15 * minute, hour, 6 * hour, day, 7 * day]);

/** Playback speeds the console offers ([ and ] step through them). */
export const speeds = Object.freeze([0.125, 0.25, 0.5, 1, 2, 4, 8, 16]);

/** The next speed up (dir 1) or down (-1) from s, staying within the list. */
export function stepSpeed(s, dir) {
  let i = speeds.indexOf(s);
  if (i < 0) i = speeds.indexOf(1);
  return speeds[Math.min(speeds.length - 1, Math.max(0, i + dir))];
}

/** The zoom level next to z: in (dir -1, a narrower window) or out (1). */
export function stepZoom(z, dir) {
  let i = zooms.indexOf(z);
  if (i < 0) i = 3;
  return zooms[Math.min(zooms.length - 1, Math.max(0, i + dir))];
}

/**
 * The window [from, to) of width zoom that shows at, with at three
 * quarters along (more past than future); never beyond now + a tenth.
 */
export function windowAround(at, zoom, now = Date.now()) {
  let to = at + zoom / 4;
  const limit = now + zoom / 10;
  if (to > limit) to = limit;
  return { from: to - zoom, to };
}

/** v within [lo, hi]. */
export function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

/** Position 0…1 of time t in the window (outside: below 0 or above 1). */
export function toFraction(w, t) {
  return (t - w.from) / (w.to - w.from);
}

/** The time at position f (0…1) of the window. */
export function fromFraction(w, f) {
  return w.from + f * (w.to - w.from);
}

/** Tick spacing for a window width: about six to twelve ticks. */
const tickSteps = [10e3, 30e3, minute, 5 * minute, 10 * minute, 30 * minute, hour, 3 * hour, 6 * hour, 12 * hour, day];

/** Tick times within the window, on round local times. */
export function ticks(w) {
  const width = w.to - w.from;
  const step = tickSteps.find((s) => width / s <= 12) || day;
  const offset = new Date(w.from).getTimezoneOffset() * minute;
  const first = Math.ceil((w.from - offset) / step) * step + offset;
  const out = [];
  for (let t = first; t < w.to; t += step) out.push(t);
  return { step, times: out };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "HH:MM:SS" (24-hour, local); with ms true ".mmm" after it. */
export function clockText(t, ms = false) {
  const d = new Date(t);
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return ms ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** "YYYY-MM-DD" (local). */
export function dateText(t) {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The label of a tick: the date at midnight for day-wide steps, else the time. */
export function tickText(t, step) {
  if (step >= day) return dateText(t).slice(5);
  const d = new Date(t);
  if (step >= minute || d.getSeconds() === 0) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return clockText(t);
}

/** "1 min", "5 min", "1 h", "7 d": a zoom's label. */
export function zoomText(z) {
  if (z >= day) return `${z / day} d`;
  if (z >= hour) return `${z / hour} h`;
  return `${z / minute} min`;
}

/** "1/8×", "1/2×", "1×", "16×". */
export function speedText(s) {
  return s < 1 ? `1/${Math.round(1 / s)}×` : `${s}×`;
}

/**
 * The time on screen now, from the gateway's last report {time, speed,
 * paused, at} (at: performance.now() when it came): between reports the
 * clock runs on at the speed, so the shown time does not jump each second.
 */
export function shownTime(r, now = performance.now()) {
  if (!r || !Number.isFinite(r.time)) return NaN;
  if (r.paused || r.ended) return r.time;
  return r.time + Math.min(now - r.at, 1500) * (r.speed || 1); // a late report stops the clock, not runs it away
}

/** The recorded span containing t, or the nearest one after it (null: none). */
export function spanAt(spans, t) {
  for (const s of spans) if (s.to > t) return s;
  return null;
}
