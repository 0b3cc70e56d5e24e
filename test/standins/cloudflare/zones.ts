// Zone objects and the GET /zones filters.
import type { ZoneInfo } from './types.js';

export const ACCOUNT = { id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', name: 'weclick test account' };

/** A zone as GET /zones returns it: an active Free-plan zone owned by the test account. */
export function zoneResponse(zone: ZoneInfo): Record<string, unknown> {
  return {
    id: zone.id,
    name: zone.name,
    status: 'active',
    paused: false,
    type: 'full',
    development_mode: 0,
    name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
    original_name_servers: null,
    original_registrar: null,
    original_dnshost: null,
    modified_on: zone.created_on,
    created_on: zone.created_on,
    activated_on: zone.created_on,
    vanity_name_servers: [],
    meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
    owner: { id: ACCOUNT.id, type: 'organization', name: ACCOUNT.name },
    account: { ...ACCOUNT },
    tenant: {},
    tenant_unit: {},
    permissions: ['#dns_records:edit', '#dns_records:read', '#zone:read'],
    plan: {
      id: '0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
      name: 'Free Website',
      price: 0,
      currency: 'USD',
      frequency: '',
      is_subscribed: false,
      can_subscribe: false,
      legacy_id: 'free',
      legacy_discount: false,
      externally_managed: false,
    },
  };
}

const NAME_OPS: Record<string, (value: string, wanted: string) => boolean> = {
  equal: (v, w) => v === w,
  not_equal: (v, w) => v !== w,
  starts_with: (v, w) => v.startsWith(w),
  ends_with: (v, w) => v.endsWith(w),
  contains: (v, w) => v.includes(w),
};

/** `name` takes an optional `operator:` prefix (`contains:.org`); plus `status`, `account.id|name`, `match`. */
export function zoneFilter(query: Map<string, string[]>): (zone: ZoneInfo) => boolean {
  const tests: Array<(zone: ZoneInfo) => boolean> = [];
  const name = query.get('name')?.[0];
  if (name !== undefined) {
    const [, prefix = '', rest = ''] = /^([a-z_]+):(.*)$/s.exec(name) ?? [];
    const caseSensitive = prefix.endsWith('_case_sensitive');
    const op = NAME_OPS[prefix.replace(/_case_sensitive$/, '')];
    const wanted = op ? rest : name;
    const test = op ?? NAME_OPS.equal!;
    tests.push((z) => (caseSensitive ? test(z.name, wanted) : test(z.name.toLowerCase(), wanted.toLowerCase())));
  }
  const status = query.get('status')?.[0];
  if (status !== undefined) tests.push(() => status === 'active');
  const accountId = query.get('account.id')?.[0];
  if (accountId !== undefined) tests.push(() => accountId === ACCOUNT.id);
  const accountName = query.get('account.name')?.[0];
  if (accountName !== undefined) tests.push(() => accountName.toLowerCase() === ACCOUNT.name);
  if (tests.length === 0) return () => true;
  return query.get('match')?.[0] === 'any' ? (z) => tests.some((t) => t(z)) : (z) => tests.every((t) => t(z));
}
