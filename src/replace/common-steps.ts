// Steps every kind of replace shares: stage the new server, open firewalls to it, sync DNS, retire the old one.
import { isServing } from '../fleet/serving.js';
import type { Role } from '../inventory/schema.js';
import { serverIndex } from '../inventory/server-index.js';
import { provisionPorts } from '../provision/ports.js';
import { currentInventory, editInventory, serverNamed, setStates, type ReplaceContext } from './context.js';
import { provisionTowards, syncDns } from './operations.js';
import type { ReplaceStep } from './step.js';

/** NEW takes OLD's roles and waits in standby: its own DNS name, provisioned, serving nothing yet. */
export function stageStep(oldName: string, newName: string): ReplaceStep {
  return {
    id: 'stage',
    title: `${newName} takes ${oldName}'s roles in standby in the inventory (its own DNS name, no traffic yet)`,
    async run(ctx) {
      const roles = serverNamed(await currentInventory(ctx), oldName).roles;
      const changed = await editInventory(ctx, (doc) => {
        const at = serverIndex(doc, newName);
        doc.setIn(['servers', at, 'roles'], doc.createNode([...roles]));
        doc.setIn(['servers', at, 'state'], 'standby');
      });
      return changed ? `${newName}: roles ${roles.join(', ')}, standby` : `${newName} is already staged`;
    },
    async undo(ctx) {
      const before = ctx.progress.newBefore;
      if (!before) {
        const removed = await editInventory(ctx, (doc) => {
          if (indexOrMissing(doc, newName) >= 0) doc.deleteIn(['servers', serverIndex(doc, newName)]);
        });
        return removed ? `${newName} removed from the inventory (the replace had added it)` : `${newName} was not in the inventory`;
      }
      await editInventory(ctx, (doc) => {
        const at = serverIndex(doc, newName);
        doc.setIn(['servers', at, 'roles'], doc.createNode([...(before.roles as Role[])]));
        doc.setIn(['servers', at, 'state'], before.state);
      });
      return `${newName}: back to ${before.state} with roles ${before.roles.join(', ')}`;
    },
  };
}

/** Index of a server in the document, or -1 (serverIndex throws for a missing one). */
function indexOrMissing(doc: Parameters<typeof serverIndex>[0], name: string): number {
  try {
    return serverIndex(doc, name);
  } catch {
    return -1;
  }
}

/**
 * Re-renders the firewalls (base role) of the servers holding `admitRole`, from the inventory as it is now: workers
 * for an entry point, the database for a worker (a standby server is admitted, a retired one no longer).
 */
export function firewallStep(admitRole: Role, id: string, title: string): ReplaceStep {
  return {
    id,
    title,
    async run(ctx) {
      const loaded = await currentInventory(ctx);
      const names = loaded.inventory.servers.filter((s) => isServing(s) && s.roles.includes(admitRole)).map((s) => s.name);
      if (names.length === 0) return `no server holds the ${admitRole} role`;
      return provisionTowards(ctx, loaded, names, ['base']);
    },
  };
}

/** NEW's own MySQL account (as `weclick db grant NEW`), unless it has one. */
export function accountStep(newName: string): ReplaceStep {
  return {
    id: 'account',
    title: `create ${newName}'s MySQL account if it has none (as \`weclick db grant ${newName}\`)`,
    async run(ctx) {
      const loaded = await currentInventory(ctx);
      const ports = await provisionPorts(ctx.file);
      if (ports.accounts.credentials(newName)) return `${newName} already has its account`;
      const [{ withUsers }, { grantServerAccount }] = await Promise.all([import('../users/users-context.js'), import('../users/grant-account.js')]);
      const outcome = await withUsers(loaded, {}, (users) => grantServerAccount(users.pool, ctx.file, serverNamed(loaded, newName), users.settings.database));
      ctx.progress.data.accountCreated = outcome.created;
      return `${outcome.plan.user}@${outcome.plan.host} ${outcome.created ? 'created' : 'repaired'}`;
    },
    async undo(ctx) {
      if (!ctx.progress.data.accountCreated) return `${newName}'s account was not made by this replace: kept`;
      const loaded = await currentInventory(ctx);
      const ports = await provisionPorts(ctx.file);
      const outcome = await ports.accounts.revokeWorkerAccount(serverNamed(loaded, newName), loaded);
      return `${newName}'s MySQL account: ${outcome.detail}`;
    },
  };
}

export function provisionNewStep(newName: string): ReplaceStep {
  return {
    id: 'provision-new',
    title: `provision ${newName} with every role it takes (as \`weclick provision ${newName}\`)`,
    run: async (ctx) => provisionTowards(ctx, await currentInventory(ctx), [newName]),
  };
}

/** A Cloudflare sync at this point of the replace; the plan lists the record moves. */
export function dnsStep(id: string, title: string): ReplaceStep {
  return { id, title, run: (ctx) => syncDns(ctx) };
}

/** NEW becomes the active holder of the roles; OLD drains (keeps what it carries). */
export function switchStep(oldName: string, newName: string, what: string): ReplaceStep {
  return {
    id: 'switch',
    title: `${newName} active and ${oldName} draining in the inventory: ${what}`,
    async run(ctx) {
      const changed = await editInventory(ctx, setStates({ [newName]: 'active', [oldName]: 'draining' }));
      return changed ? `${newName} active, ${oldName} draining` : 'already switched';
    },
    async undo(ctx) {
      await editInventory(ctx, setStates({ [newName]: 'standby', [oldName]: 'active' }));
      return `${oldName} active again, ${newName} back in standby`;
    },
  };
}

export function retireStateStep(oldName: string, extra = ''): ReplaceStep {
  return {
    id: 'retire-old',
    title: `mark ${oldName} retired in the inventory${extra}`,
    noReturn: true,
    async run(ctx) {
      const changed = await editInventory(ctx, setStates({ [oldName]: 'retired' }));
      return changed ? `${oldName} retired` : `${oldName} was already retired`;
    },
  };
}
