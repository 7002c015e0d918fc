// The tile grid: maxTiles Tile views of which the current grid shows the
// first `count`, a selected tile, an optional focused (full-size) tile, and
// the mouse gestures on tiles: click selects, double-click focuses and back,
// drag a camera (from the tree) or a tile onto a tile. The grid reports
// gestures through hooks and never decides what plays.

import { h } from './dom.js';
import { dragCamera, dragTile, gridSpec, maxTiles } from './grids.js';
import { Tile } from './tile.js';

/**
 * createGrid(container, {interactive, hooks}) with hooks
 *   onSelect(i), onFocus(i or -1), onClear(i), onSound(i) (the speaker button),
 *   onDropCamera(i, cameraID), onSwap(a, b)
 */
export function createGrid(container, { interactive = true, hooks = {} } = {}) {
  const tiles = [];
  for (let i = 0; i < maxTiles; i++) tiles.push(new Tile(i));
  const el = h('div', { class: 'grid', dataset: { grid: '2x2' } }, tiles.map((tl) => tl.el));
  container.append(el);
  let spec = gridSpec('2x2');
  let selected = 0;
  let focused = -1;

  function layout(name) {
    spec = gridSpec(name);
    el.dataset.grid = name;
    tiles.forEach((tl, i) => { tl.el.hidden = i >= spec.count; });
    if (selected >= spec.count) select(0);
    if (focused >= spec.count) focus(-1);
    render();
  }

  function render() {
    el.classList.toggle('is-focused', focused >= 0);
    tiles.forEach((tl, i) => {
      tl.el.classList.toggle('selected', interactive && i === selected);
      tl.el.classList.toggle('focused', i === focused);
    });
  }

  function select(i) {
    if (!spec || i < 0 || i >= spec.count) return;
    selected = i;
    render();
  }

  function focus(i) {
    focused = i >= 0 && i < spec.count ? i : -1;
    render();
  }

  const tileIndex = (target) => {
    const t = target.closest?.('.tile');
    return t && el.contains(t) ? Number(t.dataset.tile) : -1;
  };

  if (interactive) wireGestures();

  function wireGestures() {
    el.addEventListener('click', (e) => {
      const i = tileIndex(e.target);
      if (i < 0) return;
      if (e.target.closest('[data-action="clear"]')) {
        hooks.onClear?.(i);
        return;
      }
      if (e.target.closest('[data-action="sound"]')) {
        hooks.onSound?.(i);
        return;
      }
      hooks.onSelect?.(i);
    });
    el.addEventListener('dblclick', (e) => {
      const i = tileIndex(e.target);
      if (i >= 0 && !e.target.closest('button')) hooks.onFocus?.(focused === i ? -1 : i);
    });
    el.addEventListener('dragstart', (e) => {
      const i = tileIndex(e.target);
      if (i < 0 || !tiles[i].camera) {
        e.preventDefault();
        return;
      }
      e.dataTransfer.setData(dragTile, String(i));
      e.dataTransfer.setData('text/plain', tiles[i].camera.id);
      e.dataTransfer.effectAllowed = 'move';
    });
    el.addEventListener('dragover', (e) => {
      const i = tileIndex(e.target);
      const types = e.dataTransfer?.types || [];
      if (i < 0 || !(types.includes(dragCamera) || types.includes(dragTile))) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = types.includes(dragTile) ? 'move' : 'copy';
      markDrop(i);
    });
    el.addEventListener('dragleave', (e) => {
      if (!el.contains(e.relatedTarget)) markDrop(-1);
    });
    el.addEventListener('dragend', () => markDrop(-1));
    el.addEventListener('drop', (e) => {
      const i = tileIndex(e.target);
      markDrop(-1);
      if (i < 0) return;
      e.preventDefault();
      const cam = e.dataTransfer.getData(dragCamera);
      const from = e.dataTransfer.getData(dragTile);
      if (from !== '') hooks.onSwap?.(Number(from), i);
      else if (cam) hooks.onDropCamera?.(i, cam);
    });
  }

  function markDrop(i) {
    tiles.forEach((tl, j) => tl.el.classList.toggle('drop-target', j === i));
  }

  return {
    el,
    tiles,
    layout,
    select,
    focus,
    get selected() { return selected; },
    get focused() { return focused; },
    get count() { return spec.count; },
    /** Feeds tile i from tracks[i]; null unbinds every tile. */
    bind(tracks) {
      tiles.forEach((tl, i) => tl.bind(tracks?.[i] || null));
    },
  };
}
