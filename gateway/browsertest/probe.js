// browsertest's probe: New has the browser run it in every document before
// any of the page's own scripts (Page.addScriptToEvaluateOnNewDocument), so
// tests can observe the console from outside while the shipped console keeps
// no test hooks. It records, in window.__browsertest:
//   peers         the open RTCPeerConnections, for their statistics
//   constructed   how many RTCPeerConnections the page has made (a tile
//                 switching source must not make one)
//   socket        the WebSocket opened last (the console's signalling link)
//   tiles         the last "tile" message of each tile, by tile index
//   playedFrom    by tile index, the time of the first playback report after
//                 the tile last left live (the first picture played, plus
//                 however long that report took to come)
//   playedFromAt  by tile index, when that report arrived (ms since the epoch)
//   audio         the last "audio" message
//   clipMessages  every "clip" message, in order
//   tours         every "tour" message, in order, with its arrival (at, ms)
(() => {
  if (window.__browsertest) return;
  const probe = { peers: [], constructed: 0, socket: null, tiles: [], audio: null, clipMessages: [], tours: [], playedFrom: [], playedFromAt: [] };
  Object.defineProperty(window, '__browsertest', { value: probe });

  const Peer = window.RTCPeerConnection;
  if (Peer) {
    window.RTCPeerConnection = class extends Peer {
      constructor(...args) {
        super(...args);
        probe.constructed++;
        probe.peers.push(this);
      }

      close() {
        const i = probe.peers.indexOf(this);
        if (i >= 0) probe.peers.splice(i, 1);
        return super.close();
      }
    };
  }

  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      probe.socket = this;
      this.addEventListener('message', (e) => record(e.data));
    }
  };

  function record(data) {
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (m === null || typeof m !== 'object') return;
    if (m.type === 'tile' && Number.isInteger(m.tile)) {
      const prev = probe.tiles[m.tile];
      if (m.mode === 'playback' && m.time && !(prev?.mode === 'playback' && prev.time)) {
        probe.playedFrom[m.tile] = m.time;
        probe.playedFromAt[m.tile] = Date.now();
      }
      probe.tiles[m.tile] = m;
    }
    if (m.type === 'audio') probe.audio = m;
    if (m.type === 'clip' && typeof m.id === 'string') probe.clipMessages.push(m);
    if (m.type === 'tour') probe.tours.push({ ...m, at: performance.now() });
  }
})();
