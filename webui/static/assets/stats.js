// Per-tile statistics from the console's one peer connection: a single
// getStats() a second, split by receiving track, turned into resolution,
// frame rate and bit rate for the hover box, and into "is it still
// decoding" for the stall watchdog.

const every = 1000; // ms

// The bit rate is taken over the last `rateSamples` samples (about five
// seconds): over one second it jumped with each keyframe (two steady
// tiles read 3,419 and 553 kb/s).
const rateSamples = 5;

/**
 * rates(prev, cur, ms) → {width, height, fps, kbps, frames} from two
 * inbound-rtp samples {framesDecoded, bytesReceived, frameWidth,
 * frameHeight, framesPerSecond} taken ms apart; prev may be undefined.
 */
export function rates(prev, cur, ms) {
  const frames = cur.framesDecoded || 0;
  const bytes = cur.bytesReceived || 0;
  let fps = cur.framesPerSecond || 0;
  let kbps = -1;
  if (prev && ms > 0) {
    if (!fps) fps = Math.max(0, ((frames - (prev.framesDecoded || 0)) * 1000) / ms);
    kbps = Math.max(0, Math.round(((bytes - (prev.bytesReceived || 0)) * 8) / ms));
  }
  return { width: cur.frameWidth || 0, height: cur.frameHeight || 0, fps, kbps, frames };
}

/**
 * watchStats(getPeer, getTracks, onSample) samples every second while the
 * page is visible and calls onSample(i, rates) for each tile whose track has
 * an inbound-rtp entry. Returns a stop function.
 */
export function watchStats(getPeer, getTracks, onSample) {
  let prev = new Map(); // track id → the last samples [{sample, at}], oldest first
  let timer = 0;
  let stopped = false;
  const tick = async () => {
    const pc = getPeer();
    if (pc && document.visibilityState === 'visible') {
      try {
        prev = await sample(pc, getTracks(), prev, onSample);
      } catch { /* a closed connection: the next tick sees the new one */ }
    }
    if (!stopped) timer = setTimeout(tick, every);
  };
  timer = setTimeout(tick, every);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

async function sample(pc, tracks, prev, onSample) {
  const report = await pc.getStats();
  const at = performance.now();
  const byTrack = new Map();
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier) byTrack.set(s.trackIdentifier, s);
  }
  const next = new Map();
  tracks.forEach((track, i) => {
    const s = track && byTrack.get(track.id);
    if (!s) return;
    const seen = prev.get(track.id) || [];
    const p = seen[0]; // the oldest kept: the rates span the window
    onSample(i, rates(p?.sample, s, p ? at - p.at : 0));
    next.set(track.id, [...seen, { sample: s, at }].slice(-rateSamples));
  });
  return next;
}
