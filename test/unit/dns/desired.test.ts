import { describe, expect, it } from 'vitest';
import { desiredRecords, zoneOf } from '../../../src/dns/desired.js';
import { FLEET, inventory, ZONE, type ServerSpec } from './inventory.js';

const asLines = (records: Array<{ name: string; type: string; content: string; ttl: number; proxied: boolean }>) =>
  records.map((r) => `${r.name.replace(`.${ZONE}`, '')} ${r.type} ${r.content} ttl=${r.ttl}${r.proxied ? ' proxied' : ''}`);

describe('desiredRecords', () => {
  it('gives active and draining servers their A/AAAA, retired ones nothing, and service names to role holders', () => {
    const desired = desiredRecords(inventory());
    expect(desired.zone).toBe(ZONE);
    expect(asLines(desired.records)).toEqual([
      'db A 203.0.113.10 ttl=1',
      'go A 203.0.113.11 ttl=1',
      'go AAAA 2001:db8::11 ttl=1',
      'mngmt A 203.0.113.10 ttl=1',
      'podpiska A 203.0.113.10 ttl=1',
      'srv1 A 198.51.100.21 ttl=1',
      'srv2 A 198.51.100.22 ttl=1',
    ]);
    expect(desired.problems).toEqual([]);
    expect(desired.warnings).toEqual([]);
    // A name asked for twice (server go and the entry name go) is one record with both reasons.
    expect(desired.records.find((r) => r.name === `go.${ZONE}` && r.type === 'A')!.reasons).toEqual(['server go', 'entry name (proxy on go)']);
  });

  it('points the entry name at every active proxy, and not at a draining one', () => {
    const servers: ServerSpec[] = [
      ...FLEET,
      { name: 'go2', ipv4: '203.0.113.12', roles: ['proxy'] },
      { name: 'go3', ipv4: '203.0.113.13', roles: ['proxy'], state: 'draining' },
    ];
    const entry = desiredRecords(inventory(servers)).records.filter((r) => r.name === `go.${ZONE}` && r.type === 'A');
    expect(entry.map((r) => r.content)).toEqual(['203.0.113.11', '203.0.113.12']);
  });

  it('keeps a service name on draining holders when no active one is left, and says so', () => {
    const servers: ServerSpec[] = [{ name: 'go', ipv4: '203.0.113.11', roles: ['proxy'], state: 'draining' }];
    const desired = desiredRecords(inventory(servers));
    expect(asLines(desired.records)).toContain('go A 203.0.113.11 ttl=1');
    expect(desired.warnings).toContain(`no active server holds the proxy role: go.${ZONE} stays on draining go`);
    expect(desired.warnings).toContain(`no active or draining server holds the mysql role: db.${ZONE} gets no record`);
  });

  it('uses the TTL from the inventory and the zone from fleet.cloudflare.zone', () => {
    const inv = inventory([{ name: 'srv1', ipv4: '198.51.100.21', roles: ['marzban'] }], { domain: `eu.${ZONE}`, cloudflare: { zone: ZONE, ttl: 300 } });
    expect(zoneOf(inv)).toBe(ZONE);
    const desired = desiredRecords(inv);
    expect(desired.zone).toBe(ZONE);
    expect(desired.records.find((r) => r.name === `srv1.${ZONE}`)).toMatchObject({ ttl: 300, proxied: false });
  });

  it('falls back to fleet.domain when there is no cloudflare section', () => {
    expect(desiredRecords(inventory(FLEET, { domain: 'other.example' })).zone).toBe('other.example');
  });

  it('proxies only the subscription name, with automatic TTL, when fleet.cloudflare.proxySubscription is set', () => {
    const desired = desiredRecords(inventory(FLEET, { cloudflare: { zone: ZONE, ttl: 300, proxySubscription: true } }));
    expect(asLines(desired.records)).toEqual([
      'db A 203.0.113.10 ttl=300',
      'go A 203.0.113.11 ttl=300',
      'go AAAA 2001:db8::11 ttl=300',
      'mngmt A 203.0.113.10 ttl=300',
      'podpiska A 203.0.113.10 ttl=1 proxied',
      'srv1 A 198.51.100.21 ttl=300',
      'srv2 A 198.51.100.22 ttl=300',
    ]);
  });

  it('refuses to proxy a subscription name that also carries a server (VPN or SSH traffic)', () => {
    // The subscription server is itself called podpiska: its hostname and the service name are the same name.
    const servers: ServerSpec[] = [{ name: 'podpiska', ipv4: '203.0.113.20', roles: ['subscription'] }];
    const desired = desiredRecords(inventory(servers, { cloudflare: { zone: ZONE, proxySubscription: true } }));
    expect(desired.records.filter((r) => r.name === `podpiska.${ZONE}`).map((r) => r.proxied)).toEqual([false]);
    expect(desired.warnings.join('\n')).toMatch(/proxySubscription is ignored for podpiska\.weclick\.example/);
  });

  it('writes IPv6 in the compressed form the API stores', () => {
    const desired = desiredRecords(inventory([{ name: 'srv1', ipv4: '198.51.100.21', ipv6: '2001:0db8:0000:0000:0000:0000:0000:0021', roles: ['marzban'] }]));
    expect(desired.records.find((r) => r.type === 'AAAA')!.content).toBe('2001:db8::21');
  });

  it('reports names outside the zone (the schema cannot see a zone/hostname mismatch when built by hand)', () => {
    const inv = inventory([{ name: 'srv1', ipv4: '198.51.100.21', roles: ['marzban', 'mysql'], hostname: 'srv1.elsewhere.example' }], { mysql: { host: 'db.elsewhere.example' } });
    expect(desiredRecords(inv).problems).toEqual([
      'db.elsewhere.example is outside the Cloudflare zone weclick.example; fix the hostname or fleet.cloudflare.zone',
      'srv1.elsewhere.example is outside the Cloudflare zone weclick.example; fix the hostname or fleet.cloudflare.zone',
    ]);
  });
});
