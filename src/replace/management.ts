// Replacing the management server (central MySQL, panel, subscriptions): the data moves by a fresh backup restored
// on the new server and compared table by table; the workers move one at a time, each checked before the next.
import type { Pool } from 'mysql2/promise';
import { sourceDatabase } from '../backup/settings.js';
import type { Server } from '../inventory/schema.js';
import { isServing } from '../fleet/serving.js';
import { provisionPorts } from '../provision/ports.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { currentInventory, inventoryAfter, note, saveProgress, serverNamed, setStates, type ReplaceContext } from './context.js';
import { accountStep, dnsStep, provisionNewStep, retireStateStep, stageStep, switchStep } from './common-steps.js';
import { compareCopies, tableCensus } from './table-census.js';
import { provisionTowards, waitReachableFromEntry } from './operations.js';
import type { ReplaceStep } from './step.js';

export function managementSteps(oldName: string, newName: string): ReplaceStep[] {
  return [
    stageStep(oldName, newName),
    accountStep(newName),
    provisionNewStep(newName),
    {
      id: 'freeze-old',
      title: `make ${oldName}'s MySQL read-only, so nothing written after the backup is lost (workers keep serving VPN traffic; usage counters wait)`,
      run: async (ctx) => {
        await withAdmin(ctx, oldName, (pool) => pool.query('SET GLOBAL read_only = ON'));
        ctx.progress.data.oldFrozen = true;
        return `${oldName}: read_only = ON`;
      },
      undo: async (ctx) => {
        await withAdmin(ctx, oldName, (pool) => pool.query('SET GLOBAL read_only = OFF'));
        ctx.progress.data.oldFrozen = false;
        return `${oldName}: read_only = OFF, writable again`;
      },
    },
    {
      id: 'backup',
      title: `a fresh backup of ${oldName}'s database to Telegram (as \`weclick backup now\`)`,
      run: async (ctx) => {
        if (ctx.progress.data.backupId) return `backup ${ctx.progress.data.backupId} already taken`;
        const { backupNow } = await import('../backup/backup-now.js');
        const outcome = await backupNow({ loaded: await currentInventory(ctx), env: ctx.env, connectTimeout: ctx.connectTimeout, events: { note: (t) => note(ctx, t) } });
        ctx.progress.data.backupId = outcome.entry.id;
        await saveProgress(ctx);
        return `backup ${outcome.entry.id}: ${outcome.entry.parts.length} part(s)`;
      },
    },
    {
      id: 'restore-new',
      title: `restore that backup on ${newName} (every part's hash and the manifest checked while loading)`,
      run: (ctx) => restoreOnNew(ctx, newName),
    },
    {
      id: 'verify-copy',
      title: `compare every table on ${oldName} and ${newName}: row counts and CHECKSUM TABLE`,
      run: async (ctx) => {
        const db = sourceDatabase((await currentInventory(ctx)).inventory, ctx.env);
        const before = await withAdmin(ctx, oldName, (pool) => tableCensus(pool, db));
        const after = await withAdmin(ctx, newName, (pool) => tableCensus(pool, db));
        const differences = compareCopies(before, after);
        if (differences.length > 0) throw new WeclickError(`the copy on ${newName} differs from ${oldName}; nothing was switched`, { exitCode: EXIT.failed, details: differences });
        return `${after.length} tables, ${after.reduce((n, t) => n + t.rows, 0)} rows: identical on both`;
      },
    },
    {
      id: 'accounts-new',
      title: `create the workers' MySQL accounts on ${newName} (same users, passwords and grants)`,
      run: (ctx) => copyAccounts(ctx, oldName, newName),
    },
    switchStep(oldName, newName, `${newName} holds the database, panel and subscriptions`),
    {
      id: 'repoint-workers',
      title: `point each worker at ${newName}'s MySQL, one at a time, each checked healthy before the next`,
      run: (ctx) => repointWorkers(ctx),
      undo: (ctx) => repointBack(ctx, oldName, newName),
    },
    dnsStep('dns-move', `DNS: the management, subscription and MySQL names to ${newName}`),
    retireManagementStep(oldName, newName),
    dnsStep('dns-old', `DNS: remove ${oldName}'s own records`),
  ];
}

/** Runs fn with an admin connection to a server's own MySQL (the MYSQL_ADMIN_* account from .env). */
async function withAdmin<T>(ctx: ReplaceContext, name: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const loaded = await currentInventory(ctx);
  const server = serverNamed(loaded, name);
  const { mysqlSettings, openPool } = await import('../users/connection.js');
  const pool = await openPool({ ...mysqlSettings(loaded.inventory, ctx.env), host: server.ipv4 }, { database: false });
  try {
    return await fn(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** OLD's own panel account goes from the database now on NEW (and from the secrets file); OLD's MySQL stays read-only. */
function retireManagementStep(oldName: string, newName: string): ReplaceStep {
  const state = retireStateStep(oldName);
  return {
    id: 'retire-old',
    title: `drop ${oldName}'s own MySQL account on ${newName}, mark ${oldName} retired (its MySQL stays read-only: the last copy before the move)`,
    noReturn: true,
    async run(ctx) {
      const { accountName, dropAccounts } = await import('../users/db-accounts.js');
      const dropped = await withAdmin(ctx, newName, (pool) => dropAccounts(pool, accountName(oldName)));
      await (await provisionPorts(ctx.file)).secrets.delete(['mysql', 'accounts', oldName]);
      return `${dropped.length > 0 ? `dropped ${dropped.map((a) => `${a.user}@${a.host}`).join(', ')}` : `${oldName} had no account`}; ${await state.run(ctx)}`;
    },
  };
}

async function restoreOnNew(ctx: ReplaceContext, newName: string): Promise<string> {
  const ref = ctx.progress.data.backupId;
  if (!ref) throw new WeclickError('no backup recorded for this replace; run weclick replace --resume to take it', { exitCode: EXIT.failed });
  const { RestoreJob } = await import('../backup/restore.js');
  // NEW is not live yet; tables there come from its panel's first start or an interrupted restore: loaded over.
  const job = await RestoreJob.prepare({ loaded: await currentInventory(ctx), env: ctx.env, ref, host: newName, overwrite: true, connectTimeout: ctx.connectTimeout, events: { note: (t) => note(ctx, t) } });
  try {
    const result = await job.run();
    if (result.differences.length > 0) throw new WeclickError(`backup ${ref} loaded on ${newName} does not match its manifest`, { exitCode: EXIT.failed, details: result.differences.map((d) => JSON.stringify(d)) });
    return `backup ${ref} loaded into ${job.target.database} on ${newName}: ${result.scan.tables.length} tables, ${result.scan.tables.reduce((n, t) => n + t.rows, 0)} rows`;
  } finally {
    job.close();
  }
}

async function copyAccounts(ctx: ReplaceContext, oldName: string, newName: string): Promise<string> {
  const accounts = Object.entries((await provisionPorts(ctx.file)).secrets.data.mysql?.accounts ?? {}).filter(([, a]) => a?.user && a.password && a.host);
  if (accounts.length === 0) return 'no worker accounts to copy';
  const { grantsOf, applyAccount, setAccountPassword, existingAccounts, WORKER_PRIVILEGES, MIGRATION_PRIVILEGES } = await import('../users/db-accounts.js');
  const withDdl = new Set<string>();
  await withAdmin(ctx, oldName, async (pool) => {
    for (const [name, a] of accounts) {
      const grants = await grantsOf(pool, a.user!, a.host!).catch(() => []);
      if (grants.some((g) => /\bALTER\b/.test(g))) withDdl.add(name);
    }
  });
  const db = sourceDatabase((await currentInventory(ctx)).inventory, ctx.env);
  await withAdmin(ctx, newName, async (pool) => {
    const present = await existingAccounts(pool);
    for (const [name, a] of accounts) {
      const plan = { server: name, user: a.user!, host: a.host!, privileges: [...WORKER_PRIVILEGES, ...(withDdl.has(name) ? MIGRATION_PRIVILEGES : [])] };
      const exists = present.some((p) => p.user === plan.user && p.host === plan.host);
      await applyAccount(pool, plan, db, exists ? undefined : a.password!);
      if (exists) await setAccountPassword(pool, plan.user, plan.host, a.password!);
    }
  });
  return `${accounts.length} account(s) on ${newName}: ${accounts.map(([n]) => n).join(', ')}`;
}

const servingWorkers = (servers: Server[]) => servers.filter((s) => s.roles.includes('marzban') && isServing(s)).map((s) => s.name).sort();

async function repointWorkers(ctx: ReplaceContext): Promise<string> {
  const done = (ctx.progress.data.repointed ??= []);
  const loaded = await currentInventory(ctx);
  for (const worker of servingWorkers(loaded.inventory.servers)) {
    if (done.includes(worker)) continue;
    note(ctx, `${worker}: ${await provisionTowards(ctx, loaded, [worker], ['marzban'])}`);
    note(ctx, await waitReachableFromEntry(ctx, loaded, serverNamed(loaded, worker)));
    done.push(worker);
    await saveProgress(ctx);
  }
  return done.length === 0 ? 'no workers' : `re-pointed ${done.join(', ')}`;
}

async function repointBack(ctx: ReplaceContext, oldName: string, newName: string): Promise<string> {
  const done = ctx.progress.data.repointed ?? [];
  const back = await inventoryAfter(ctx, setStates({ [newName]: 'standby', [oldName]: 'active' }));
  const moved = [...done];
  for (const worker of [...done].reverse()) {
    note(ctx, `${worker}: ${await provisionTowards(ctx, back, [worker], ['marzban'])}`);
    done.splice(done.indexOf(worker), 1);
    await saveProgress(ctx);
  }
  return moved.length === 0 ? 'no worker had moved' : `${moved.join(', ')} point at ${oldName} again`;
}
