// The site's URLs in one place. List URLs carry the whole filter, so any view can be
// bookmarked, shared and reloaded; defaults are left out to keep them short.
import type { ModalitySpec } from '../query/modalities.js';
import { DEFAULT_PER_PAGE, type ListQuery } from '../query/studies.js';

export const STATIC_PREFIX = '/static/';

export function modalityListPath(spec: ModalitySpec): string {
  return `/${spec.slug}`;
}

export function studyPath(id: number): string {
  return `/studies/${id}`;
}

const DEFAULTS: Partial<Record<keyof ListQuery, string>> = { sort: 'date', dir: 'desc', page: '1', perPage: String(DEFAULT_PER_PAGE) };

/** Query parameters of a list view, without those at their default. */
export function listParams(query: Partial<ListQuery>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    const text = String(value);
    if (DEFAULTS[key as keyof ListQuery] === text) continue;
    params.set(key, text);
  }
  return params;
}

export function listUrl(spec: ModalitySpec, query: Partial<ListQuery>): string {
  const qs = listParams(query).toString();
  return qs ? `${modalityListPath(spec)}?${qs}` : modalityListPath(spec);
}
