import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rolloutPhase } from '../../../src/provision/apply.js';
import type { ProvisionPlan } from '../../../src/provision/plan.js';
import { provisionPorts } from '../../../src/provision/ports.js';
import { planJson, renderPlan } from '../../../src/provision/render-plan.js';
import { gatherSecrets, realityKeyPair, realityPublicKey } from '../../../src/provision/secrets.js';
import { readSettings } from '../../../src/provision/settings.js';
import { fileStep } from '../../../src/provision/steps/file.js';
import { skipStep } from '../../../src/provision/steps/note.js';
import { redact } from '../../../src/ui/redact.js';
import { inventoryFrom, server } from './fixture.js';

describe('rollout order', () => {
  it('management first, then workers, then Outline, the entry point last', () => {
    const inventory = inventoryFrom();
    const phases = ['go', 'srv2', 'srv1', 'mngmt'].map((name) => [name, rolloutPhase(server(inventory, name))]);
    expect(phases).toEqual([
      ['go', 3],
      ['srv2', 2],
      ['srv1', 1],
      ['mngmt', 0],
    ]);
  });
});

describe('settings', () => {
  it('defaults, environment over .env, and one clear problem per bad value', () => {
    const env = { path: '.env', exists: true, values: { WECLICK_ENTRY_PORT: '8443', WECLICK_XRAY_PORT: 'nope' } };
    const { settings, problems } = readSettings(env, { WECLICK_ENTRY_PORT: '20443', WECLICK_MYSQL_ADMIN_SOURCES: '192.0.2.5, 198.51.100.0/24' });
    expect(settings.entryPort).toBe(20443);
    expect(settings.outlineApiPort).toBe(8081);
    expect(settings.mysqlAdminSources).toEqual(['192.0.2.5', '198.51.100.0/24']);
    expect(settings.namespaceTestHosts).toBe(false);
    expect(problems).toEqual([expect.stringMatching(/^WECLICK_XRAY_PORT="nope": .*Xray inbound port/)]);
  });
});

describe('secrets', () => {
  it('REALITY keys: the public half is derived from the stored private key as Xray does', () => {
    const pair = realityKeyPair();
    expect(pair.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(realityPublicKey(pair.privateKey)).toBe(pair.publicKey);
  });

  it('generates what weclick owns once, keeps it in the secrets file (0600) beside DB accounts, and a dry run saves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weclick-secrets-'));
    const file = join(dir, 'weclick.yaml');
    writeFileSync(join(dir, 'weclick.secrets.yaml'), 'mysql:\n  accounts:\n    srv1: { user: mz_srv1, host: 198.51.100.21, password: acc-pass-0123456789, setAt: "2025-01-01" }\n', { mode: 0o600 });
    const inventory = inventoryFrom();
    const env = { path: join(dir, '.env'), exists: false, values: {} };

    const dry = await gatherSecrets(await provisionPorts(file), inventory, env, { dryRun: true });
    expect(dry.generated).toEqual(['xray.reality.privateKey', 'xray.reality.shortIds', 'mysql.root.password']);
    expect(readFileSync(join(dir, 'weclick.secrets.yaml'), 'utf8')).not.toContain('reality');

    const first = await gatherSecrets(await provisionPorts(file), inventory, env, { dryRun: false });
    expect(first.secrets.accounts).toEqual({ srv1: { user: 'mz_srv1', password: 'acc-pass-0123456789' } });
    const second = await gatherSecrets(await provisionPorts(file), inventory, env, { dryRun: false });
    expect(second.generated).toEqual([]);
    expect(second.secrets.reality).toEqual(first.secrets.reality);
    expect(second.secrets.mysqlRootPassword).toBe(first.secrets.mysqlRootPassword);
    const text = readFileSync(join(dir, 'weclick.secrets.yaml'), 'utf8');
    expect(text).toContain('acc-pass-0123456789'); // the accounts of `weclick db grant` survive
    expect(statSync(join(dir, 'weclick.secrets.yaml')).mode & 0o777).toBe(0o600);
    expect(redact(`key ${first.secrets.reality.privateKey} root ${first.secrets.mysqlRootPassword}`)).toBe('key [REDACTED] root [REDACTED]');
  });
});

describe('plan rendering', () => {
  const inventory = inventoryFrom();
  const secretFile = fileStep({ host: 'srv1', role: 'marzban', path: '/opt/marzban/.env', content: 'SECRET=zz-top-secret\n', mode: 0o600, sensitive: true });
  const plain = fileStep({ host: 'srv1', role: 'marzban', path: '/opt/marzban/docker-compose.yml', content: 'a: 1\n', mode: 0o644 });
  const note = skipStep('srv1', 'base', 'firewall:load', 'load the firewall', 'namespace test host');
  const facts = { serviceManager: 'none' as const, files: new Map(), packages: new Map(), runs: new Map() };
  const plan: ProvisionPlan = {
    hosts: [
      { server: server(inventory, 'srv1'), steps: [secretFile, plain, note].map((step) => ({ step, change: step.check(facts, { namespaceTestHost: true }) })) },
      { server: server(inventory, 'go'), steps: [] },
    ],
    problems: [],
    warnings: ['srv3: unreachable, its Marzban version could not be compared (timeout)'],
  };

  it('shows changes with diffs, skips with their reason, and a summary; never a sensitive value', () => {
    const text = renderPlan(plan);
    expect(text).toContain('srv1 (marzban): 2 changes');
    expect(text).toContain('  ~ [marzban] create /opt/marzban/.env');
    expect(text).toContain('/opt/marzban/.env: created (sensitive, not shown)');
    expect(text).toContain('+a: 1');
    expect(text).toContain('  - skipped [base] load the firewall: namespace test host');
    expect(text).toContain('go (proxy): no changes');
    expect(text).toContain('Plan: 2 changes on 1 of 2 hosts; 1 step skipped on purpose (see "skipped").');
    expect(text).toContain('warning: srv3: unreachable');
    expect(text).not.toContain('zz-top-secret');
    expect(JSON.stringify(planJson(plan))).not.toContain('zz-top-secret');
    expect(planJson(plan).summary).toEqual({ changes: 2, hosts: 1, skipped: 1 });
  });
});
