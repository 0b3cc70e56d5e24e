// apply() of activation steps with a fake session that records the commands it is given.
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostSession } from '../../../src/remote/session.js';
import { SSHD_DROPIN } from '../../../src/provision/roles/base.js';
import { stepsForServer } from '../../../src/provision/roles/index.js';
import type { Step, StepHost } from '../../../src/provision/step.js';
import { loadTemplates, type TemplateSet } from '../../../src/provision/templates.js';
import { freshFacts, inventoryFrom, SECRETS, SETTINGS } from './fixture.js';

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplates();
});

function fakeSession(failOn: RegExp | null = null) {
  const commands: string[] = [];
  const session = {
    target: { name: 'srv1' },
    shell: async (line: string) => (commands.push(line), { code: failOn?.test(line) ? 1 : 0, stdout: '', stderr: failOn?.test(line) ? 'failed' : '', signal: null, timedOut: false, connectionLost: false }),
    run: async (argv: string[]) => (commands.push(argv.join(' ')), { code: 0, stdout: '', stderr: '', signal: null, timedOut: false, connectionLost: false }),
    close: () => undefined,
  } as unknown as HostSession;
  return { session, commands };
}

const step = (id: string): Step => {
  const inventory = inventoryFrom();
  return stepsForServer({ inventory, server: inventory.servers.find((s) => s.name === 'srv1')!, settings: SETTINGS, secrets: SECRETS, templates }).find((s) => s.id === id)!;
};

describe('reloading sshd cannot lock weclick out', () => {
  it('keeps this session until a new one succeeds, then records what was loaded', async () => {
    const { session, commands } = fakeSession();
    let opened = 0;
    const host: StepHost = {
      session,
      facts: freshFacts(),
      options: { namespaceTestHost: false },
      reconnect: async () => (opened++, fakeSession().session),
      local: { saveSecret: async () => {} },
    };
    await step('sshd:reload').apply(host);
    expect(opened).toBe(1);
    expect(commands[0]).toMatch(/systemctl reload ssh .*service ssh reload/);
    expect(commands.at(-1)).toContain('/var/lib/weclick/applied/sshd');
  });

  it('when a new session fails, the previous settings are put back and sshd reloaded, through the session still open', async () => {
    const { session, commands } = fakeSession();
    const host: StepHost = {
      session,
      facts: freshFacts(),
      options: { namespaceTestHost: false },
      reconnect: async () => {
        throw new Error('authentication failed');
      },
      local: { saveSecret: async () => {} },
    };
    await expect(step('sshd:reload').apply(host)).rejects.toThrow('a new SSH session failed after reloading sshd (authentication failed); the previous settings were restored and sshd reloaded');
    expect(commands[1]).toContain(`mv -f ${SSHD_DROPIN}.weclick-prev ${SSHD_DROPIN}`);
    expect(commands[1]).toMatch(/service ssh reload; fi$/);
    expect(commands.join('\n')).not.toContain('/var/lib/weclick/applied/sshd');
  });
});

describe('loading the firewall', () => {
  it('replaces our table only, enables nftables at boot under systemd, then records it', async () => {
    const { session, commands } = fakeSession();
    await step('firewall:load').apply({ session, facts: freshFacts(), options: { namespaceTestHost: false }, reconnect: async () => session, local: { saveSecret: async () => {} } });
    expect(commands[0]).toBe('nft -f /etc/nftables.conf && if [ -d /run/systemd/system ]; then systemctl enable --quiet nftables; fi');
    expect(commands[1]).toContain('/var/lib/weclick/applied/firewall');
  });

  it('a failed load records nothing, so the next run tries again', async () => {
    const { session, commands } = fakeSession(/^nft -f/);
    await expect(step('firewall:load').apply({ session, facts: freshFacts(), options: { namespaceTestHost: false }, reconnect: async () => session, local: { saveSecret: async () => {} } })).rejects.toThrow(/load the firewall.*failed \(exit 1\)/);
    expect(commands).toHaveLength(1);
  });
});
