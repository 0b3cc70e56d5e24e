// List filters and ordering for GET /zones/{zone_id}/dns_records.
// The SDK encodes nested params with dots (`name.exact=…`); bracket forms (`name[exact]=…`) are accepted too.
import type { StoredRecord } from './types.js';

type Predicate = (r: StoredRecord) => boolean;
type TextOp = 'exact' | 'contains' | 'startswith' | 'endswith';

const TEXT_OPS: Record<TextOp, (value: string, wanted: string) => boolean> = {
  exact: (v, w) => v === w,
  contains: (v, w) => v.includes(w),
  startswith: (v, w) => v.startsWith(w),
  endswith: (v, w) => v.endsWith(w),
};

const ORDER_FIELDS = ['type', 'name', 'content', 'ttl', 'proxied'] as const;

/** Dotted view of the query: `name[exact]` becomes `name.exact`; repeated keys keep every value. */
export function normaliseQuery(search: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [rawKey, value] of search) {
    const key = rawKey.replace(/\[([^\]]*)\]/g, '.$1');
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** Builds the record filter; names, contents, comments and tags match case-insensitively. */
export function recordFilter(query: Map<string, string[]>): Predicate {
  const first = (key: string) => query.get(key)?.[0];
  const requirements: Predicate[] = [];
  const textField = (field: 'name' | 'content' | 'comment', get: (r: StoredRecord) => string | null) => {
    const plain = first(field); // the bare parameter is an alias for `.exact`
    if (plain !== undefined) requirements.push(textTest(get, 'exact', plain));
    for (const op of Object.keys(TEXT_OPS) as TextOp[]) {
      const wanted = first(`${field}.${op}`);
      if (wanted !== undefined) requirements.push(textTest(get, op, wanted));
    }
  };
  textField('name', (r) => r.name);
  textField('content', (r) => r.content);
  textField('comment', (r) => r.comment);
  if (query.has('comment.present')) requirements.push((r) => r.comment !== null);
  if (query.has('comment.absent')) requirements.push((r) => r.comment === null);

  const type = first('type');
  if (type !== undefined) requirements.push((r) => r.type === type.toUpperCase());
  const proxied = first('proxied');
  if (proxied !== undefined) requirements.push((r) => String(r.proxied) === proxied.toLowerCase());
  const search = first('search')?.toLowerCase();
  if (search) {
    requirements.push((r) => [r.name, r.content, r.comment ?? ''].some((v) => v.toLowerCase().includes(search)));
  }
  const tags = tagFilter(query);
  if (tags) requirements.push(tags);

  const any = first('match') === 'any';
  if (requirements.length === 0) return () => true;
  return any ? (r) => requirements.some((p) => p(r)) : (r) => requirements.every((p) => p(r));
}

/** Applies `order` and `direction`; without `order` the stable insertion order is kept. */
export function orderRecords(records: StoredRecord[], query: Map<string, string[]>): StoredRecord[] {
  const order = query.get('order')?.[0] as (typeof ORDER_FIELDS)[number] | undefined;
  if (!order || !ORDER_FIELDS.includes(order)) return records;
  const sign = query.get('direction')?.[0] === 'desc' ? -1 : 1;
  return [...records].sort((a, b) => {
    const x = a[order];
    const y = b[order];
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

function textTest(get: (r: StoredRecord) => string | null, op: TextOp, wanted: string): Predicate {
  const w = wanted.toLowerCase();
  return (r) => {
    const value = get(r);
    return value !== null && TEXT_OPS[op](value.toLowerCase(), w);
  };
}

/** `tag`, `tag.present|absent|exact|contains|startswith|endswith`, combined by `tag_match` (default all). */
function tagFilter(query: Map<string, string[]>): Predicate | null {
  const tests: Predicate[] = [];
  const lower = (r: StoredRecord) => r.tags.map((t) => t.toLowerCase());
  const tagName = (t: string) => t.split(':')[0] ?? t;
  for (const wanted of query.get('tag') ?? []) {
    const w = wanted.toLowerCase();
    tests.push((r) => lower(r).some((t) => t === w || (!w.includes(':') && tagName(t) === w)));
  }
  for (const wanted of query.get('tag.present') ?? []) {
    tests.push((r) => lower(r).some((t) => tagName(t) === wanted.toLowerCase()));
  }
  for (const wanted of query.get('tag.absent') ?? []) {
    tests.push((r) => !lower(r).some((t) => tagName(t) === wanted.toLowerCase()));
  }
  for (const op of Object.keys(TEXT_OPS) as TextOp[]) {
    for (const wanted of query.get(`tag.${op}`) ?? []) {
      // `name:value`: the tag `name` must exist and its value must match.
      const [name = '', value = ''] = wanted.toLowerCase().split(/:(.*)/s);
      tests.push((r) =>
        lower(r).some((t) => tagName(t) === name && TEXT_OPS[op](t.slice(name.length + 1), value)),
      );
    }
  }
  if (tests.length === 0) return null;
  const any = query.get('tag_match')?.[0] === 'any';
  return any ? (r) => tests.some((p) => p(r)) : (r) => tests.every((p) => p(r));
}
