// Route table of the stand-in: maps (method, path below /client/v4) to a handler.
import { runBatch } from './batch.js';
import { success, type Reply } from './envelope.js';
import { cfErrors } from './errors.js';
import { orderRecords, recordFilter } from './filters.js';
import { paginate, RECORD_PAGES, ZONE_PAGES } from './paginate.js';
import { toResponse } from './records.js';
import type { ZoneStore } from './store.js';
import { zoneFilter, zoneResponse } from './zones.js';

export interface RouteContext {
  zonesById: Map<string, ZoneStore>;
  maxBatch: number;
  now(): string;
}

export interface RouteRequest {
  method: string;
  /** Full request path, quoted in "Could not route to …" errors. */
  fullPath: string;
  /** Path below /client/v4. */
  path: string;
  query: Map<string, string[]>;
  body: unknown;
}

const ID = /^[0-9a-f]{32}$/;
// Real sub-routes of dns_records that the stand-in does not implement: "no route", not "bad identifier".
const UNIMPLEMENTED = new Set(['export', 'import', 'scan']);

export function route(ctx: RouteContext, req: RouteRequest): Reply {
  const parts = req.path.split('/').filter(Boolean); // a trailing slash is accepted, as upstream
  const { method } = req;
  if (parts[0] !== 'zones') throw cfErrors.noRoute();

  if (parts.length === 1 && method === 'GET') return listZones(ctx, req);
  if (parts.length < 3 || parts[2] !== 'dns_records' || parts.length > 4) throw cfErrors.noRoute();

  const store = zoneStore(ctx, parts[1] ?? '', req.fullPath);
  const recordId = parts[3];
  if (recordId === undefined) {
    if (method === 'GET') return listRecords(store, req);
    if (method === 'POST') return success(toResponse(store.create(bodyObject(req.body), ctx.now())));
    throw cfErrors.noRoute();
  }
  if (UNIMPLEMENTED.has(recordId)) throw cfErrors.noRoute();
  if (recordId === 'batch') {
    if (method !== 'POST') throw cfErrors.noRoute();
    return success(runBatch(store, bodyObject(req.body), ctx.maxBatch, ctx.now()));
  }
  if (!['GET', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw cfErrors.noRoute();
  if (!ID.test(recordId)) throw cfErrors.badIdentifier(req.fullPath);
  switch (method) {
    case 'GET':
      return success(toResponse(store.get(recordId)));
    case 'PUT':
      return success(toResponse(store.overwrite(recordId, bodyObject(req.body), ctx.now())));
    case 'PATCH':
      return success(toResponse(store.patch(recordId, bodyObject(req.body), ctx.now())));
    default:
      return success({ id: store.remove(recordId).id });
  }
}

function listZones(ctx: RouteContext, req: RouteRequest): Reply {
  const zones = [...ctx.zonesById.values()].map((s) => s.zone).filter(zoneFilter(req.query));
  const { page, info } = paginate(zones, req.query, ZONE_PAGES);
  return success(page.map(zoneResponse), info);
}

function listRecords(store: ZoneStore, req: RouteRequest): Reply {
  const matching = orderRecords(store.all().filter(recordFilter(req.query)), req.query);
  const { page, info } = paginate(matching, req.query, RECORD_PAGES);
  return success(page.map(toResponse), info);
}

function zoneStore(ctx: RouteContext, zoneId: string, fullPath: string): ZoneStore {
  if (!ID.test(zoneId)) throw cfErrors.badIdentifier(fullPath);
  const store = ctx.zonesById.get(zoneId);
  // A token without access to a zone (or an unknown zone) gets Cloudflare's generic 403.
  if (!store) throw cfErrors.authError();
  return store;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw cfErrors.invalid('request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
