import { beforeAll, describe, expect, it } from 'vitest';
import { NFTABLES_CONF, SSHD_DROPIN } from '../../../src/provision/roles/base.js';
import { provisionRolesOf, stepsForServer } from '../../../src/provision/roles/index.js';
import { markerContent, markerPath, sha256 } from '../../../src/provision/steps/file.js';
import type { HostFactsSnapshot, Step } from '../../../src/provision/step.js';
import { loadTemplates, type TemplateSet } from '../../../src/provision/templates.js';
import { FLEET_YAML, freshFacts, inventoryFrom, SECRETS, SETTINGS, withFile, withRun } from './fixture.js';

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplates();
});

function steps(host: string, secrets = SECRETS, yaml?: string): Step[] {
  const inventory = inventoryFrom(yaml);
  return stepsForServer({ inventory, server: inventory.servers.find((s) => s.name === host)!, settings: SETTINGS, secrets, templates });
}

/** Facts of a host on which every step of `list` is already converged (as the probe would report them). */
function convergedFacts(list: Step[], extra: (facts: HostFactsSnapshot) => void = () => {}): HostFactsSnapshot {
  const facts = freshFacts(['nftables', 'unattended-upgrades', 'systemd-timesyncd', 'haproxy', 'socat']);
  for (const step of list) {
    if (step.spec.kind === 'file') withFile(facts, step.spec.path, { sha256: sha256(step.spec.content), mode: step.spec.mode, owner: step.spec.owner ?? 'root', group: step.spec.group ?? step.spec.owner ?? 'root' });
    for (const probe of step.probes) {
      if (probe.kind === 'file' && probe.path.startsWith('/var/lib/weclick/applied/')) withFile(facts, probe.path, { sha256: probe.sha256 });
    }
  }
  withRun(facts, 'docker', { output: 'compose=v2' });
  extra(facts);
  return facts;
}

describe('roles map onto inventory roles', () => {
  it('every host gets base; the MySQL, panel and subscription roles are the management role', () => {
    expect(provisionRolesOf(['management', 'subscription', 'mysql'])).toEqual(['base', 'management']);
    expect(provisionRolesOf(['proxy'])).toEqual(['base', 'proxy']);
    expect(provisionRolesOf(['marzban'])).toEqual(['base', 'marzban']);
    expect(provisionRolesOf(['outline'])).toEqual(['base', 'outline']);
  });

  it('a worker: base steps, then Docker, the three files and compose up, in that order', () => {
    expect(steps('srv1').map((s) => s.id)).toEqual([
      'packages:nftables,unattended-upgrades',
      'timesync',
      'file:/etc/apt/apt.conf.d/20auto-upgrades',
      `file:${NFTABLES_CONF}`,
      'firewall:load',
      `file:${SSHD_DROPIN}`,
      'sshd:reload',
      'docker',
      'file:/opt/marzban/docker-compose.yml',
      'file:/opt/marzban/.env',
      'file:/var/lib/marzban/xray_config.json',
      'compose:marzban',
    ]);
  });

  it('the entry point: HAProxy packages, validated config, reload, runtime states', () => {
    expect(steps('go').slice(7).map((s) => s.id)).toEqual(['packages:haproxy,socat', 'file:/etc/haproxy/haproxy.cfg', 'haproxy:reload', 'haproxy:states']);
    const config = steps('go').find((s) => s.id === 'file:/etc/haproxy/haproxy.cfg')!;
    expect(config.spec).toMatchObject({ kind: 'file', validate: 'haproxy -c' });
    expect(config.probes.some((p) => p.kind === 'run' && p.id === 'validate:/etc/haproxy/haproxy.cfg')).toBe(true);
  });
});

describe('check against facts', () => {
  for (const host of ['mngmt', 'go', 'srv1', 'srv2']) {
    it(`${host}: a converged host has nothing to change`, () => {
      const list = steps(host);
      const facts = convergedFacts(list, (f) => {
        withRun(f, 'docker-ps', { output: 'marzban\tgozargah/marzban:v0.8.4\tUp 3 hours\nweclick-mysql\tmysql:8.4\tUp 3 hours\nshadowbox\tquay.io/outline/shadowbox:stable\tUp 1 hour\nwatchtower\tnickfedor/watchtower:latest\tUp 1 hour' });
        withRun(f, 'haproxy-running', { output: 'Pid: 42' });
        withRun(f, 'haproxy-states', { output: '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight\n3 workers 1 srv1 198.51.100.21 2 0 1\n3 workers 2 srv3 198.51.100.23 2 8 1' });
        withRun(f, 'timesync', { output: 'no-systemd' });
        withRun(f, 'panel:certificate', {});
        withRun(f, 'outline:material', {});
        withRun(f, 'outline:access', {});
      });
      const secrets = host === 'srv2' ? { ...SECRETS, outline: { srv2: { apiUrl: 'https://198.51.100.22:8081/abc', certSha256: 'A'.repeat(64) } } } : SECRETS;
      const list2 = steps(host, secrets);
      if (host === 'srv2') withRun(facts, 'outline:readback', { output: `certSha256:${'A'.repeat(64)}\napiUrl:https://198.51.100.22:8081/abc` });
      const changes = list2.map((s) => [s.id, s.check(facts, { namespaceTestHost: false })]).filter(([, c]) => (c as { kind: string }).kind !== 'none' && (c as { kind: string }).kind !== 'skip');
      expect(changes).toEqual([]);
    });
  }

  it('on a namespace test host, loading the firewall and reloading sshd are shown as skipped, with the reason, every time', () => {
    const list = steps('srv1');
    const facts = convergedFacts(list);
    const skipped = list.map((s) => s.check(facts, { namespaceTestHost: true })).filter((c) => c.kind === 'skip');
    expect(skipped.map((c) => (c as { reason: string }).reason)).toEqual([
      expect.stringContaining('time sync'),
      expect.stringMatching(/load the firewall.*NOT loaded.*WECLICK_NAMESPACE_TEST_HOSTS=1/),
      expect.stringMatching(/reload sshd.*sshd NOT reloaded.*WECLICK_NAMESPACE_TEST_HOSTS=1/),
    ]);
  });

  it('a package missing on a namespace test host blocks the run instead of installing it', () => {
    const list = steps('srv1');
    const facts = convergedFacts(list);
    facts.packages.set('nftables', null);
    const packages = list.find((s) => s.id === 'packages:nftables,unattended-upgrades')!;
    expect(packages.check(facts, { namespaceTestHost: true })).toMatchObject({ kind: 'blocked', reason: expect.stringContaining('never installed on a namespace test host') });
    expect(packages.check(facts, { namespaceTestHost: false })).toEqual({ kind: 'change', summary: 'apt-get install nftables' });
  });

  it('compose up: when the files changed (marker differs) or the container is not running', () => {
    const list = steps('srv1');
    const up = list.find((s) => s.id === 'compose:marzban')!;
    const facts = convergedFacts(list, (f) => withRun(f, 'docker-ps', { output: 'marzban\tgozargah/marzban:v0.8.4\tUp 1 hour' }));
    expect(up.check(facts, { namespaceTestHost: false })).toEqual({ kind: 'none' });
    withRun(facts, 'docker-ps', { output: 'marzban\tgozargah/marzban:v0.8.3\tUp 1 hour' });
    expect(up.check(facts, { namespaceTestHost: false })).toEqual({ kind: 'change', summary: 'docker compose -p marzban up -d (marzban not running)' });
    withFile(facts, markerPath('compose-marzban'), { sha256: sha256(markerContent('older')) });
    expect(up.check(facts, { namespaceTestHost: false })).toEqual({ kind: 'change', summary: 'docker compose -p marzban up -d (configuration changed)' });
  });

  it('a worker without a MySQL account, or a fleet without a pinned image, is blocked before anything changes', () => {
    const { srv1: _drop, ...accounts } = SECRETS.accounts;
    expect(steps('srv1', { ...SECRETS, accounts }).map((s) => s.check(freshFacts(), { namespaceTestHost: false }))).toContainEqual({
      kind: 'blocked',
      reason: expect.stringContaining('srv1 has no MySQL account yet: create it with `weclick db grant srv1`'),
    });
    const unpinned = steps('srv1', SECRETS, inventoryYamlWithout('  marzban:\n    image: gozargah/marzban:v0.8.4\n'));
    expect(unpinned.map((s) => s.check(freshFacts(), { namespaceTestHost: false }))).toContainEqual({ kind: 'blocked', reason: expect.stringContaining('fleet.marzban.image is not set') });
  });

  it('runtime states follow the inventory: a draining server that HAProxy has ready is set to drain', () => {
    const states = steps('go').find((s) => s.id === 'haproxy:states')!;
    const facts = withRun(freshFacts(), 'haproxy-states', { output: '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight\n3 workers 1 srv1 198.51.100.21 2 0 1\n3 workers 2 srv3 198.51.100.23 2 0 1' });
    expect(states.check(facts, { namespaceTestHost: false })).toEqual({ kind: 'change', summary: 'srv3: ready → drain' });
    expect(states.check(withRun(freshFacts(), 'haproxy-states', { code: 1 }), { namespaceTestHost: false })).toEqual({ kind: 'change', summary: 'put srv3 in drain once HAProxy runs' });
  });

  it('a server the new config adds that does not answer from the entry point blocks the run', () => {
    const config = steps('go').find((s) => s.id === 'file:/etc/haproxy/haproxy.cfg')!;
    const facts = withFile(freshFacts(), '/etc/haproxy/haproxy.cfg', { sha256: sha256('old'), content: 'backend workers\n    server srv1 198.51.100.21:443\n', mode: 0o644, owner: 'root', group: 'root' });
    withRun(facts, 'validate:/etc/haproxy/haproxy.cfg', { output: 'Configuration file is valid' });
    withRun(facts, 'haproxy:reachable', { output: 'UNREACHABLE srv1 198.51.100.21:443\nUNREACHABLE srv3 198.51.100.23:443' });
    // srv1 is already served (HAProxy's own checks handle it); srv3 would be new.
    expect(config.check(facts, { namespaceTestHost: false })).toEqual({
      kind: 'blocked',
      reason: 'go: not adding srv3 198.51.100.23:443 to the entry point: it does not accept connections from go yet (provision it first; HAProxy would send users to it)',
    });
    withRun(facts, 'haproxy:reachable', { output: 'UNREACHABLE srv1 198.51.100.21:443' });
    expect(config.check(facts, { namespaceTestHost: false })).toMatchObject({ kind: 'change', summary: 'update /etc/haproxy/haproxy.cfg' });
  });

  it('outline: apiUrl and certSha256 go to the secrets file when access.txt says something else', () => {
    const list = steps('srv2');
    const readback = list.find((s) => s.id === 'outline:readback')!;
    const facts = withRun(freshFacts(), 'outline:readback', { output: `certSha256:${'b'.repeat(64)}\napiUrl:https://198.51.100.22:8081/secret` });
    expect(readback.check(facts, { namespaceTestHost: false })).toEqual({ kind: 'change', summary: "store srv2's apiUrl and certSha256 in the secrets file (values not shown)" });
  });

  it('a template that does not render becomes one blocked step naming the template', () => {
    const broken: TemplateSet = { dir: templates.dir, render: (name, context) => (name === 'proxy/haproxy.cfg.hbs' ? (() => { throw new Error('template proxy/haproxy.cfg.hbs does not render: "bogus" not defined'); })() : templates.render(name, context)) };
    const inventory = inventoryFrom();
    const list = stepsForServer({ inventory, server: inventory.servers.find((s) => s.name === 'go')!, settings: SETTINGS, secrets: SECRETS, templates: broken });
    expect(list.filter((s) => s.role === 'proxy').map((s) => s.check(freshFacts(), { namespaceTestHost: false }))).toEqual([
      { kind: 'blocked', reason: 'go (proxy): template proxy/haproxy.cfg.hbs does not render: "bogus" not defined' },
    ]);
  });
});

function inventoryYamlWithout(text: string): string {
  return FLEET_YAML.replace(text, '');
}
