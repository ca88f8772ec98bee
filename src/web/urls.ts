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

/** A list's parameters parsed, or as a form holds them (text). */
export type ListParamValues = Partial<ListQuery> | Readonly<Partial<Record<string, string>>>;

/** Query parameters of a list view, without those at their default. */
export function listParams(query: ListParamValues): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    const text = String(value);
    if (DEFAULTS[key as keyof ListQuery] === text) continue;
    params.set(key, text);
  }
  return params;
}

export function listUrl(spec: ModalitySpec, query: ListParamValues): string {
  const qs = listParams(query).toString();
  return qs ? `${modalityListPath(spec)}?${qs}` : modalityListPath(spec);
}

export const HELP_PATH = '/help';

/** The sections of the help page the footer links to, by anchor. */
export const HELP_TOPICS = [
  { id: 'getting-started', title: 'Getting started' },
  { id: 'roles', title: 'Roles' },
  { id: 'lists', title: 'Lists and filters' },
  { id: 'units', title: 'Units' },
] as const;

export function helpTopicPath(id: (typeof HELP_TOPICS)[number]['id']): string {
  return `${HELP_PATH}#${id}`;
}
