// The console's sound: one hidden <audio> element fed by the peer
// connection's audio transceiver, which the gateway points at the camera of
// one tile at a time ({"type":"audio","tile":N} / {"type":"mute"}).
//
// Every tile starts muted. The speaker button of the focused tile (or of a
// single-tile grid) turns its sound on; a second click, or the tile leaving
// the focus, turns it off. The gateway's "audio" messages tell the tile
// what it hears (waiting, playing, no sound). A browser that refuses to
// play (autoplay policy) leaves a hint to click again.

import { h } from './dom.js';

/**
 * createSound(container, {signal, tiles}) → {bind(track), toggle(i),
 * mute(), interrupted(), message(msg), heard}. tiles are the grid's Tile
 * views. The Signal repeats the heard tile after a reconnect.
 */
export function createSound(container, { signal, tiles }) {
  const el = h('audio', { class: 'sound-out', autoplay: true, muted: true, hidden: true });
  container.append(el);
  let heard = -1;

  /** Plays the element unmuted; a refusal marks the heard tile "blocked". */
  function play() {
    const i = heard;
    el.muted = false;
    if (!el.srcObject) return;
    el.play().then(
      () => heard === i && tiles[i].setSound({ blocked: false }),
      () => heard === i && tiles[i].setSound({ blocked: true }),
    );
  }

  function listen(i) {
    if (heard !== i) mute();
    if (heard < 0) tiles[i].setSound({ state: 'waiting', blocked: false });
    heard = i;
    signal.listen(i);
    play(); // inside the click: the browser's user gesture
  }

  function mute() {
    if (heard < 0) return;
    tiles[heard].setSound(null);
    heard = -1;
    el.muted = true;
    signal.mute();
  }

  return {
    el,
    get heard() { return heard; },
    /** Feeds the element from the sound track (null: nothing). */
    bind(track) {
      el.srcObject = track ? new MediaStream([track]) : null;
      if (track && heard >= 0) play();
    },
    /** The speaker button of tile i: on, off, or on again after a refusal. */
    toggle(i) {
      if (heard === i && !tiles[i].sound?.blocked) mute();
      else listen(i);
    },
    mute,
    /** The media connection is down: the heard tile waits for its sound again. */
    interrupted() {
      if (heard >= 0) tiles[heard].setSound({ state: 'waiting' });
    },
    /** A gateway "audio" message: what the heard tile hears now. */
    message(m) {
      if (heard >= 0 && m.tile === heard) tiles[heard].setSound({ ...pick(m), blocked: tiles[heard].sound?.blocked || false });
    },
  };
}

function pick(m) {
  return {
    state: String(m.state || ''),
    reason: m.reason || '',
    codec: m.codec || '',
    sent: m.sent || '',
    transcoded: m.transcoded === true,
  };
}
