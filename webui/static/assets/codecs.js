// Codec names and the path a camera's media takes to this console: what the
// camera sends, what the browser receives, whether the gateway converts it
// (PROTOCOL.md "tile" and "audio", GET /api/cameras/{id} "delivery").
// Pure functions over the gateway's fields, so the page tests call them.

import { t } from './i18n.js';

const names = { H264: 'H.264', H265: 'H.265', PCMA: 'G.711A', PCMU: 'G.711μ' };

/** A codec as people write it: H265 → "H.265", PCMA → "G.711A"; others as given. */
export function codecName(codec) {
  return names[codec] || codec || '';
}

/**
 * The path of one medium, {codec, sent, transcoded, bframes}:
 * "H.265 → H.264 (transcoded)", or "H.264" when it arrives as sent;
 * "" when nothing is known.
 */
export function codecPath({ codec, sent, transcoded, bframes } = {}) {
  let from = codecName(codec);
  if (from && bframes) from = t('codec.bframes', { codec: from });
  const to = codecName(sent);
  if (transcoded) return t('codec.transcoded', { from: from || '?', to: to || '?' });
  return from || to;
}

const deliveryVideo = new Set(['passthrough', 'transcode', 'unsupported', 'unknown']);
const deliveryAudio = new Set(['passthrough', 'transcode', 'unsupported']);
const transcoderNames = ['main', 'sub', 'audio'];
const phases = new Set(['idle', 'starting', 'running', 'restarting', 'needs_ffmpeg', 'failed']);

/**
 * The lines describing a camera of GET /api/stations for its tooltip:
 * video codec and B-frames, sound, what this browser gets and the
 * transcoders' states. Fields the gateway left out are skipped.
 */
export function cameraDetails(cam) {
  if (!cam) return [];
  const lines = [];
  if (cam.codec) {
    const size = cam.width && cam.height ? ` ${cam.width}×${cam.height}` : '';
    lines.push(t('details.video', { codec: codecPath({ codec: cam.codec, bframes: cam.bframes }) + size }));
  }
  if (cam.audio?.codec) lines.push(t('details.audio', { audio: audioText(cam.audio) }));
  else if (cam.delivery) lines.push(t('details.noAudio'));
  const d = cam.delivery;
  if (d) {
    const parts = [];
    if (deliveryVideo.has(d.video)) parts.push(t(`delivery.video.${d.video}`, { codec: codecName(d.video_codec) }));
    if (deliveryAudio.has(d.audio)) parts.push(t(`delivery.audio.${d.audio}`, { codec: codecName(d.audio_codec) }));
    if (parts.length) lines.push(t('details.delivery', { delivery: parts.join(t('details.sep')) }));
    if (d.state === 'needs_ffmpeg' || d.state === 'transcode_off') lines.push(t(`delivery.${d.state}`));
  }
  for (const name of transcoderNames) {
    const tr = cam.transcoders?.[name];
    if (!tr) continue;
    lines.push(t('details.transcoder', {
      name: t(`transcoder.${name}`),
      state: phases.has(tr.state) ? t(`transcoder.state.${tr.state}`) : tr.state,
      viewers: tr.viewers ?? 0,
      restarts: tr.restarts ?? 0,
    }));
  }
  return lines;
}

/** "AAC 16 kHz mono" from {codec, sample_rate, channels}. */
export function audioText(a) {
  const parts = [codecName(a.codec)];
  if (a.sample_rate) parts.push(`${+(a.sample_rate / 1000).toFixed(1)} kHz`);
  if (a.channels === 1) parts.push(t('audio.mono'));
  else if (a.channels === 2) parts.push(t('audio.stereo'));
  else if (a.channels > 2) parts.push(t('audio.channels', { n: a.channels }));
  return parts.join(' ');
}
