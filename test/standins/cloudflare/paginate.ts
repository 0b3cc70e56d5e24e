// Page/per_page handling shared by /zones and /dns_records.
import type { ResultInfo } from './envelope.js';

export interface PageLimits {
  defaultPerPage: number;
  minPerPage: number;
  maxPerPage: number;
}

export const RECORD_PAGES: PageLimits = { defaultPerPage: 100, minPerPage: 1, maxPerPage: 5000 };
export const ZONE_PAGES: PageLimits = { defaultPerPage: 20, minPerPage: 5, maxPerPage: 50 };

/**
 * Slices one page. Pages past the end are empty (the SDK stops only on an empty page), and `count` is the
 * number of items on this page. Out-of-range `per_page` values are clamped.
 */
export function paginate<T>(
  items: T[],
  query: Map<string, string[]>,
  limits: PageLimits,
): { page: T[]; info: ResultInfo } {
  const wantedPerPage = Number.parseInt(query.get('per_page')?.[0] ?? '', 10);
  const perPage = Number.isNaN(wantedPerPage)
    ? limits.defaultPerPage
    : Math.min(limits.maxPerPage, Math.max(limits.minPerPage, wantedPerPage));
  const wantedPage = Number.parseInt(query.get('page')?.[0] ?? '', 10);
  const page = Number.isNaN(wantedPage) ? 1 : Math.max(1, wantedPage);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    page: slice,
    info: {
      page,
      per_page: perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.ceil(items.length / perPage),
    },
  };
}
