// WHEP playback (RFC 9725): one recvonly RTCPeerConnection per session.
// The multi-tile console will move to one peer connection per console over
// the WebSocket; tiles talk to a session only through start/close/onFailure.
//
// Every live peer connection is listed in window.__vigil.peers so that tests
// can read its statistics (framesDecoded) from outside.

import { whepDelete, whepOffer } from './api.js';

export const debug = (globalThis.__vigil ??= { peers: [] });

const iceGatheringCap = 2000; // ms; the gateway's host candidates come fast
const disconnectGrace = 4000; // ms a "disconnected" link may recover

/** Resolves when ICE gathering completes or after ms, whichever is first. */
export function iceGathered(pc, ms = iceGatheringCap) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => pc.iceGatheringState === 'complete' && done();
    const timer = setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

export class WhepSession {
  /**
   * @param {string} cameraID
   * @param {HTMLVideoElement} video receives the stream
   * @param {{onFailure?: (err: Error) => void}} hooks onFailure fires once
   *   when an established connection fails
   */
  constructor(cameraID, video, hooks = {}) {
    this.cameraID = cameraID;
    this.video = video;
    this.hooks = hooks;
    this.location = '';
    this.closed = false;
    this.abort = new AbortController();
    this.disconnectTimer = 0;
    this.pc = new RTCPeerConnection();
    this.pc.addTransceiver('video', { direction: 'recvonly' });
    this.pc.addEventListener('track', (e) => this.attach(e));
    this.pc.addEventListener('connectionstatechange', () => this.watch());
    debug.peers.push(this.pc);
  }

  /** Negotiates; resolves once the answer is applied. Throws ApiError etc. */
  async start() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    await iceGathered(this.pc);
    this.check();
    const { answer, location } = await whepOffer(this.cameraID, this.pc.localDescription.sdp, this.abort.signal);
    this.location = location;
    if (this.closed) {
      whepDelete(location);
      throw new DOMException('session closed', 'AbortError');
    }
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  }

  check() {
    if (this.closed) throw new DOMException('session closed', 'AbortError');
  }

  attach(event) {
    const stream = event.streams[0] || new MediaStream([event.track]);
    if (this.video.srcObject !== stream) this.video.srcObject = stream;
    this.video.play().catch(() => { /* autoplay is muted; a refusal shows as no frames */ });
  }

  watch() {
    const state = this.pc.connectionState;
    clearTimeout(this.disconnectTimer);
    if (state === 'failed') this.fail(new Error('ICE connection failed'));
    if (state === 'disconnected') {
      this.disconnectTimer = setTimeout(() => this.fail(new Error('ICE connection lost')), disconnectGrace);
    }
  }

  fail(err) {
    if (this.closed) return;
    const fn = this.hooks.onFailure;
    this.hooks.onFailure = null;
    fn?.(err);
  }

  /** Inbound video statistics: {framesDecoded, width, height, fps, bytes, lost, codec}. */
  async stats() {
    const out = { framesDecoded: 0, width: 0, height: 0, fps: 0, bytes: 0, lost: 0, codec: '' };
    if (this.closed) return out;
    const report = await this.pc.getStats();
    for (const s of report.values()) {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') continue;
      out.framesDecoded += s.framesDecoded || 0;
      out.width = s.frameWidth || out.width;
      out.height = s.frameHeight || out.height;
      out.fps = s.framesPerSecond || out.fps;
      out.bytes += s.bytesReceived || 0;
      out.lost += s.packetsLost || 0;
      const codec = s.codecId && report.get(s.codecId);
      if (codec?.mimeType) out.codec = codec.mimeType.replace(/^video\//, '');
    }
    return out;
  }

  /** Ends the session: DELETE on the WHEP resource, close the connection. */
  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    this.abort.abort();
    whepDelete(this.location);
    this.pc.close();
    const i = debug.peers.indexOf(this.pc);
    if (i >= 0) debug.peers.splice(i, 1);
    if (this.video.srcObject) this.video.srcObject = null;
  }
}
