// The console's shareable URLs (DESIGN "Console URLs"):
//   /?station=ID&grid=2x2      a station's default cameras in that grid
//   /?station=ID&grid=5x5&page=3  the station's third page of 25 cameras
//   /?cameras=ID,ID,…&grid=…   these cameras
//   /?layout=ID                a saved layout
// parseView reads one, viewSearch writes the one that describes the current
// view, so dispatchers can copy the address bar and share it.

import { validGrid } from './grids.js';
import { idPattern } from './idrule.js'; // the gateway's own rule, served from its Go code

const layoutPattern = /^[A-Za-z0-9_:-]{1,128}$/; // station defaults are "station:<id>"

/**
 * parseView(search) → {station, layout, cameras, grid, page}; fields that
 * are absent or malformed are "" (cameras: [], an empty tile as "", page 0:
 * the first, 0-based; the URL counts from 1).
 */
export function parseView(search) {
  const p = new URLSearchParams(search);
  const station = p.get('station') || '';
  const layout = p.get('layout') || '';
  const grid = (p.get('grid') || '').replace(' ', '+'); // a hand-typed "1+5" arrives as "1 5"
  const cameras = (p.get('cameras') || '').split(',').map((c) => c.trim());
  return {
    station: idPattern.test(station) ? station : '',
    layout: layoutPattern.test(layout) ? layout : '',
    grid: validGrid(grid) ? grid : '',
    cameras: cameras.some(Boolean) ? cameras.map((c) => (idPattern.test(c) ? c : '')) : [],
    page: /^[1-9][0-9]{0,3}$/.test(p.get('page') || '') ? Number(p.get('page')) - 1 : 0,
  };
}

/**
 * The query string (with "?", or "" for an empty view) of a view
 * {source: {kind: "station"|"layout"|"", id}, grid, cameras}. A view still
 * equal to the station default or saved layout it came from is named by that;
 * anything else by its cameras. Trailing empty tiles are left out.
 */
export function viewSearch(view) {
  const p = new URLSearchParams();
  const src = view.source || {};
  if (src.kind === 'layout' && src.id) {
    p.set('layout', src.id);
  } else if (src.kind === 'station' && src.id) {
    p.set('station', src.id);
    p.set('grid', view.grid);
    if (src.page > 0) p.set('page', String(src.page + 1));
  } else {
    const cams = [...view.cameras];
    while (cams.length && !cams[cams.length - 1]) cams.pop();
    if (!cams.length) return '';
    p.set('cameras', cams.join(','));
    p.set('grid', view.grid);
  }
  // "," reads better unescaped and means nothing special in a query ("+" does).
  return '?' + p.toString().replaceAll('%2C', ',');
}
