// The user's favourite cameras (GET /api/favourites, PUT and DELETE
// /api/favourites/{camera}): the tree shows them first, a star on every
// camera row marks and unmarks one.

import { ApiError, request } from './api.js';
import { errorText } from './errors.js';
import { t } from './i18n.js';
import { toast } from './toast.js';

/** createFavourites(onChange(Set of ids)) → {load(), toggle(id), has(id)} */
export function createFavourites(onChange) {
  let ids = new Set();

  async function load() {
    try {
      const body = await (await request('GET', '/api/favourites')).json();
      ids = new Set(Array.isArray(body.cameras) ? body.cameras : []);
      onChange(ids);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) toast(t('favourites.failed', { message: errorText(err) }), 'error');
    }
  }

  async function toggle(id) {
    const marked = ids.has(id);
    try {
      await request(marked ? 'DELETE' : 'PUT', `/api/favourites/${encodeURIComponent(id)}`);
      ids = new Set(ids);
      if (marked) ids.delete(id);
      else ids.add(id);
      onChange(ids);
    } catch (err) {
      toast(t('favourites.failed', { message: errorText(err) }), 'error');
    }
  }

  return { load, toggle, has: (id) => ids.has(id) };
}
