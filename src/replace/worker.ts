// Replacing a Marzban worker behind the entry point: the new one joins HAProxy before the old one drains.
import { connectEntry, waitForSessions } from '../haproxy/entry.js';
import { changeServerState } from '../haproxy/state-change.js';
import { provisionPorts } from '../provision/ports.js';
import { readSettings } from '../provision/settings.js';
import { currentInventory, editInventory, inventoryAfter, note, serverNamed, setStates, type ReplaceContext } from './context.js';
import { accountStep, dnsStep, firewallStep, provisionNewStep, retireStateStep, stageStep } from './common-steps.js';
import { provisionTowards, waitReachableFromEntry } from './operations.js';
import type { ReplaceStep } from './step.js';
import { entryName, minutes } from './words.js';

export function workerSteps(oldName: string, newName: string, options: { deadlineMs: number; threshold: number }): ReplaceStep[] {
  return [
    stageStep(oldName, newName),
    accountStep(newName),
    firewallStep('mysql', 'firewall-mysql', `open the firewalls of the database server to ${newName} (base role, nftables)`),
    provisionNewStep(newName),
    {
      id: 'healthy',
      title: `wait until ${newName} accepts connections from the entry point on its Xray port`,
      run: async (ctx) => {
        const loaded = await currentInventory(ctx);
        return waitReachableFromEntry(ctx, loaded, serverNamed(loaded, newName));
      },
    },
    dnsStep('dns-new', `DNS: ${newName}'s own A record`),
    {
      id: 'into-rotation',
      title: `${newName} active in the inventory and added to HAProxy on the entry point as ready`,
      run: async (ctx) => {
        await editInventory(ctx, setStates({ [newName]: 'active' }));
        const loaded = await currentInventory(ctx);
        return provisionTowards(ctx, loaded, [entryName(loaded)], ['proxy']);
      },
      undo: async (ctx) => {
        await editInventory(ctx, setStates({ [newName]: 'standby' }));
        const loaded = await currentInventory(ctx);
        return `${newName} out of HAProxy again: ${await provisionTowards(ctx, loaded, [entryName(loaded)], ['proxy'])}`;
      },
    },
    {
      id: 'drain-old',
      title: `drain ${oldName} on the entry point; wait until it carries at most ${options.threshold} session(s), at most ${minutes(options.deadlineMs)}`,
      run: (ctx) => drainOld(ctx, oldName),
      undo: async (ctx) => {
        await editInventory(ctx, setStates({ [oldName]: 'active' }));
        const conn = await connectEntry(await currentInventory(ctx), { connectTimeout: ctx.connectTimeout });
        try {
          await changeServerState(conn, oldName, 'ready', ctx.audit);
        } finally {
          conn.session.close();
        }
        return `${oldName} ready again on ${conn.entry.name}`;
      },
    },
    retireWorkerStep(oldName),
    dnsStep('dns-old', `DNS: remove ${oldName}'s own records`),
  ];
}

async function drainOld(ctx: ReplaceContext, oldName: string): Promise<string> {
  await editInventory(ctx, setStates({ [oldName]: 'draining' }));
  const conn = await connectEntry(await currentInventory(ctx), { connectTimeout: ctx.connectTimeout });
  try {
    await changeServerState(conn, oldName, 'drain', ctx.audit);
    const { threshold, deadlineMs } = ctx.progress.options;
    const old = serverNamed(await currentInventory(ctx), oldName);
    const endpoint = { direction: 'dst' as const, address: old.ipv4, port: readSettings(ctx.env).settings.xrayPort };
    const drained = await waitForSessions(conn.session, oldName, { below: threshold, timeoutMs: deadlineMs, intervalMs: 2000, endpoint, onTick: (n) => note(ctx, `${oldName}: ${n} session(s) open`) });
    return drained.drained
      ? `${oldName} drained: ${drained.sessions} session(s) left after ${Math.round(drained.waitedMs / 1000)} s`
      : `${oldName}: ${drained.sessions} session(s) still open at the deadline; they stay on the old HAProxy process until hard-stop-after`;
  } finally {
    conn.session.close();
  }
}

/** Out of haproxy.cfg (graceful reload), its MySQL account dropped, retired in the inventory. */
function retireWorkerStep(oldName: string): ReplaceStep {
  const state = retireStateStep(oldName);
  return {
    id: 'retire-old',
    title: `remove ${oldName} from haproxy.cfg (graceful reload), drop its MySQL account, mark it retired`,
    noReturn: true,
    async run(ctx) {
      const retired = await inventoryAfter(ctx, setStates({ [oldName]: 'retired' }));
      const haproxy = await provisionTowards(ctx, retired, [entryName(retired)], ['proxy']);
      const loaded = await currentInventory(ctx);
      const ports = await provisionPorts(ctx.file);
      const revoke = await ports.accounts.revokeWorkerAccount(serverNamed(loaded, oldName), loaded);
      return `${haproxy}; MySQL account: ${revoke.detail}; ${await state.run(ctx)}`;
    },
  };
}
