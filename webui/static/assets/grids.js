// The console's grids (DESIGN "Console URLs"): their tile geometry, which
// stream quality a tile asks for, and keyboard neighbours. Pure functions,
// no DOM, so the page tests can call them directly.

/** Tiles (transceivers) one console peer connection carries. */
export const maxTiles = 25;

/** The grids in the order the toolbar offers them. */
export const gridNames = Object.freeze(['1', '2x2', '3x3', '4x4', '5x5', '1+5', '1+7']);

export const defaultGrid = '2x2';

/** The drag data types of the console: a camera (from the tree) and a tile. */
export const dragCamera = 'application/x-vigil-camera';
export const dragTile = 'application/x-vigil-tile';

/**
 * The geometry of a grid: {name, cols, rows, count, cells}, each cell
 * {row, col, rowSpan, colSpan} 0-based, in tile order. Unknown grids are null.
 */
export function gridSpec(name) {
  const square = /^([1-5])x\1$/.exec(name);
  if (name === '1') return squareSpec('1', 1);
  if (square) return squareSpec(name, Number(square[1]));
  if (name === '1+5') return bigSpec(name, 3);
  if (name === '1+7') return bigSpec(name, 4);
  return null;
}

function squareSpec(name, n) {
  const cells = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) cells.push({ row, col, rowSpan: 1, colSpan: 1 });
  }
  return { name, cols: n, rows: n, count: cells.length, cells };
}

// One big tile spanning (n-1)x(n-1) in the top left, the rest down the right
// column and along the bottom row.
function bigSpec(name, n) {
  const cells = [{ row: 0, col: 0, rowSpan: n - 1, colSpan: n - 1 }];
  for (let row = 0; row < n - 1; row++) cells.push({ row, col: n - 1, rowSpan: 1, colSpan: 1 });
  for (let col = 0; col < n; col++) cells.push({ row: n - 1, col, rowSpan: 1, colSpan: 1 });
  return { name, cols: n, rows: n, count: cells.length, cells };
}

/** Whether name is a known grid. */
export const validGrid = (name) => gridSpec(name) !== null;

/** The number of tiles of a grid, 0 for an unknown one. */
export const gridCount = (name) => gridSpec(name)?.count ?? 0;

/** The smallest square grid holding n cameras. */
export function gridFor(n) {
  return ['1', '2x2', '3x3', '4x4', '5x5'].find((g) => gridCount(g) >= n) || '5x5';
}

/**
 * The stream a tile asks for: "main" when it is shown large (a focused tile,
 * the single grid, a 2x2 tile, the big tile of 1+5 / 1+7), "sub" in grids of
 * 3x3 and more.
 */
export function qualityFor(grid, tile, focused = false) {
  if (focused) return 'main';
  const spec = gridSpec(grid);
  if (!spec) return 'sub';
  const cell = spec.cells[tile];
  if (!cell) return 'sub';
  const share = Math.max(cell.rowSpan / spec.rows, cell.colSpan / spec.cols);
  return share >= 0.5 ? 'main' : 'sub';
}

const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

/**
 * The tile the arrow key moves the selection to from tile `from`, or `from`
 * when there is nothing that way. Spanning tiles are handled by looking for
 * the tile covering the cell next to the current tile's edge.
 */
export function neighbour(grid, from, key) {
  const spec = gridSpec(grid);
  const d = moves[key];
  if (!spec || !d || !spec.cells[from]) return from;
  const c = spec.cells[from];
  let row = d[0] < 0 ? c.row - 1 : d[0] > 0 ? c.row + c.rowSpan : c.row;
  let col = d[1] < 0 ? c.col - 1 : d[1] > 0 ? c.col + c.colSpan : c.col;
  if (row < 0 || col < 0 || row >= spec.rows || col >= spec.cols) return from;
  const hit = spec.cells.findIndex((x) => row >= x.row && row < x.row + x.rowSpan && col >= x.col && col < x.col + x.colSpan);
  return hit < 0 ? from : hit;
}

/** A list of cameras fitted to a grid: n entries, "" for an empty tile. */
export function fit(cameras, n) {
  const out = (cameras || []).slice(0, n).map((c) => (typeof c === 'string' ? c : ''));
  while (out.length < n) out.push('');
  return out;
}
