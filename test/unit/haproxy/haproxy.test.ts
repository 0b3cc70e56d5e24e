import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { backendServers, configuredServers, haproxyContext } from '../../../src/haproxy/config.js';
import { parseDuration } from '../../../src/haproxy/duration.js';
import { reloadScript, runningProbe } from '../../../src/haproxy/reload.js';
import { ADMIN, adminStateOf, parseServersState, parseShowStat, runtimeArgv, setStateCommand } from '../../../src/haproxy/runtime.js';
import { inventoryFrom, server, SETTINGS } from '../provision/fixture.js';
import { SHOW_SERVERS_STATE, SHOW_STAT } from './captured.js';

describe('runtime API', () => {
  it('parses show stat: per server its status, sessions and check', () => {
    const rows = parseShowStat(SHOW_STAT);
    expect(rows.map((r) => `${r.proxy}/${r.server}`)).toEqual(['vpn/FRONTEND', 'workers/srv1', 'workers/srv3', 'workers/BACKEND']);
    expect(rows[1]).toMatchObject({ status: 'DOWN', currentSessions: 0, totalSessions: 0, weight: 1, checkStatus: 'L4CON' });
  });

  it('parses show servers state, and reads drain and maintenance from the admin bits', () => {
    const rows = parseServersState(SHOW_SERVERS_STATE);
    expect(rows).toEqual([
      { backend: 'workers', server: 'srv1', address: '127.0.0.21', port: 27998, operState: 0, adminState: 0, weight: 1 },
      { backend: 'workers', server: 'srv3', address: '127.0.0.23', port: 27998, operState: 0, adminState: ADMIN.FDRAIN, weight: 1 },
    ]);
    expect(rows.map(adminStateOf)).toEqual(['ready', 'drain']);
    expect(adminStateOf({ adminState: ADMIN.FMAINT | ADMIN.FDRAIN })).toBe('maint');
  });

  it('sends one command line through socat, never a second command', () => {
    expect(runtimeArgv('show stat')).toEqual(['sh', '-c', 'printf "%s\\n" "$1" | socat -t 5 stdio "UNIX-CONNECT:$2"', 'sh', 'show stat', '/run/haproxy/admin.sock']);
    expect(() => runtimeArgv('show stat\nshutdown frontend vpn')).toThrow();
    expect(() => runtimeArgv('show stat; shutdown frontend vpn')).toThrow();
    expect(setStateCommand('workers', 'srv3', 'drain')).toBe('set server workers/srv3 state drain');
    expect(() => setStateCommand('workers', 'srv3 state maint', 'drain')).toThrow();
  });
});

describe('config from the inventory', () => {
  const inventory = inventoryFrom();

  it('active and draining workers are servers; retired ones are not', () => {
    expect(backendServers(inventory, SETTINGS)).toEqual([
      { name: 'srv1', address: '198.51.100.21', port: 443, draining: false },
      { name: 'srv3', address: '198.51.100.23', port: 443, draining: true },
    ]);
  });

  it("binds the entry point's own addresses (IPv4 and IPv6)", () => {
    expect(haproxyContext(inventory, server(inventory, 'go'), { ...SETTINGS, entryPort: 20443 }).binds).toEqual([
      { address: '203.0.113.11', port: 20443 },
      { address: '[2001:db8::11]', port: 20443 },
    ]);
  });

  it('reads the servers of a live config, to tell which ones a new config adds', () => {
    const config = 'frontend vpn\n  default_backend workers\nbackend other\n  server x 203.0.113.4:1\nbackend workers\n  server srv1 198.51.100.21:443\n  server srv3 198.51.100.23:443  # draining\n# server srv9 commented\n';
    expect(configuredServers(config)).toEqual(['srv1', 'srv3']);
  });
});

describe('graceful reload script', () => {
  const script = reloadScript();

  it('is valid sh', () => {
    expect(spawnSync('sh', ['-n', '-c', script]).status).toBe(0);
    expect(spawnSync('sh', ['-n', '-c', runningProbe()]).status).toBe(0);
  });

  it('validates, dumps the runtime states, then reloads with -sf (or systemd), and restores the old file if the new process fails', () => {
    const at = (text: string) => script.indexOf(text);
    expect(at('haproxy -c -f "$CFG"')).toBeGreaterThan(-1);
    expect(at('show servers state')).toBeGreaterThan(at('haproxy -c -f "$CFG"'));
    expect(at('mv -f "$STATE.tmp" "$STATE"')).toBeGreaterThan(at('show servers state'));
    expect(at('haproxy -D -p "$PID" -f "$CFG" -x "$SOCK" -sf $old')).toBeGreaterThan(at('mv -f "$STATE.tmp" "$STATE"'));
    expect(at('systemctl reload haproxy')).toBeGreaterThan(-1);
    expect(script).toMatch(/-sf \$old \|\| \{ echo "the new HAProxy did not start; the old one \(pid \$old\) keeps serving" >&2; restore; exit 1; \}/);
  });
});

describe('durations', () => {
  it('reads 90s, 10m, 2h and bare seconds', () => {
    expect([parseDuration('90s'), parseDuration('10m'), parseDuration('2h'), parseDuration('5'), parseDuration('soon')]).toEqual([90_000, 600_000, 7_200_000, 5000, null]);
  });
});
