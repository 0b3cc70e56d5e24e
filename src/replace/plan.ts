// What a replace will do, decided before anything changes: which kind, the steps, the inventory change and the DNS
// record moves. Refuses (exit 3) what cannot be replaced safely.
import type { Document } from 'yaml';
import type { LoadedInventory } from '../base-command.js';
import { desiredRecords } from '../dns/desired.js';
import { unifiedDiff } from '../plan/file-diff.js';
import { planInventoryEdit, type InventoryEditPlan } from '../inventory/plan-edit.js';
import type { Inventory, Server } from '../inventory/schema.js';
import { addServerNode } from '../inventory/server-fields.js';
import { serverIndex } from '../inventory/server-index.js';
import { setting, type EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { setStates } from './context.js';
import { entrySteps } from './entry.js';
import { managementSteps } from './management.js';
import type { ReplaceKind } from './progress.js';
import type { ReplaceStep } from './step.js';
import { workerSteps } from './worker.js';

export interface ReplaceOptions {
  deadlineMs: number;
  threshold: number;
  healthTimeoutMs: number;
}

export interface DnsMove {
  name: string;
  type: string;
  from?: string;
  to?: string;
}

export interface ReplacePlan {
  kind: ReplaceKind;
  old: Server;
  newName: string;
  /** NEW added to the inventory by this replace (it was not there). */
  addsNew: boolean;
  /** Written before the first step: NEW in the inventory with OLD's roles, in standby. */
  staging: InventoryEditPlan;
  /** The inventory once the replace is done, as a diff from now. */
  finalDiff: string;
  dnsMoves: DnsMove[];
  steps: ReplaceStep[];
}

const KIND_WORDS: Record<ReplaceKind, string> = { worker: 'Marzban worker', entry: 'entry point', management: 'management server' };
export const kindWords = (kind: ReplaceKind) => KIND_WORDS[kind];

/** The kind of replace a server's roles call for, or exit 3 saying why it cannot be replaced. */
export function replaceKind(server: Server): ReplaceKind {
  const roles = new Set(server.roles);
  const has = (...r: string[]) => r.some((x) => roles.has(x as never));
  if (has('outline')) throw refuse(`${server.name} runs Outline: its access keys live on the server, so moving it means new keys for every user; weclick replace does not move Outline servers`);
  const kinds = [has('marzban') && 'worker', has('proxy') && 'entry', has('management', 'subscription', 'mysql') && 'management'].filter(Boolean) as ReplaceKind[];
  if (kinds.length !== 1) throw refuse(`${server.name} holds roles of ${kinds.map(kindWords).join(' and ')} (${server.roles.join(', ')}): split them onto separate servers first`);
  return kinds[0]!;
}

export interface NewServerFields {
  /** Paths and values as `servers add` sets them (from serverFieldsFromInput). */
  fields: Array<[string[], unknown]>;
}

export function planReplace(loaded: LoadedInventory, oldName: string, newName: string, options: ReplaceOptions, newFields?: NewServerFields): ReplacePlan {
  const { inventory } = loaded;
  const old = inventory.servers.find((s) => s.name === oldName);
  if (!old) throw refuse(`no server named '${oldName}' in ${loaded.file}`);
  if (old.state !== 'active') throw refuse(`${oldName} is ${old.state}: only an active server is replaced`);
  if (newName === oldName) throw refuse('a server cannot replace itself');
  const kind = replaceKind(old);
  const existing = inventory.servers.find((s) => s.name === newName);
  if (existing) {
    if (existing.state === 'retired') throw refuse(`${newName} is retired: pick a server in service, or add a new one`);
    const foreign = existing.roles.filter((r) => !old.roles.includes(r));
    if (foreign.length > 0) throw refuse(`${newName} already holds ${foreign.join(', ')}, which ${oldName} does not: a replacement takes exactly ${oldName}'s roles (${old.roles.join(', ')})`);
    if (newFields && newFields.fields.length > 0) throw refuse(`${newName} is already in the inventory: drop the server fields (--ip, --provider, …), or change it with weclick servers set ${newName}`);
  } else if (!newFields || !newFields.fields.some(([p]) => p[0] === 'ipv4')) {
    throw refuse(`${newName} is not in the inventory: add it here with --ip, --provider and --expires (as weclick servers add takes them), or first with weclick servers add ${newName}`);
  }
  if (kind === 'worker' && !inventory.servers.some((s) => s.roles.includes('proxy') && s.state === 'active')) throw refuse('the inventory has no active entry point to move the worker\'s users through');

  const staging = planInventoryEdit(loaded, (doc) => stageNew(doc, old, newName, existing ? undefined : newFields));
  const final = planInventoryEdit(staging.result, setStates({ [newName]: 'active', [oldName]: 'retired' }));
  const steps = stepsFor(kind, oldName, newName, options);
  return {
    kind,
    old,
    newName,
    addsNew: !existing,
    staging,
    finalDiff: unifiedDiff(loaded.file, loaded.text, final.after),
    dnsMoves: inventory.fleet.cloudflare ? dnsMoves(inventory, final.result.inventory) : [],
    steps,
  };
}

export function stepsFor(kind: ReplaceKind, oldName: string, newName: string, options: Pick<ReplaceOptions, 'deadlineMs' | 'threshold'>): ReplaceStep[] {
  if (kind === 'worker') return workerSteps(oldName, newName, options);
  if (kind === 'entry') return entrySteps(oldName, newName, options);
  return managementSteps(oldName, newName);
}

/** NEW in the document with OLD's roles, in standby (added with the given fields when it is not there). */
function stageNew(doc: Document, old: Server, newName: string, add: NewServerFields | undefined): void {
  if (add) addServerNode(doc, newName, add.fields);
  const at = serverIndex(doc, newName);
  doc.setIn(['servers', at, 'roles'], doc.createNode([...old.roles]));
  doc.setIn(['servers', at, 'state'], 'standby');
}

/** The records that change between two inventories, as moves of a name from one address to another. */
export function dnsMoves(before: Inventory, after: Inventory): DnsMove[] {
  const index = (inv: Inventory) => {
    const map = new Map<string, string[]>();
    for (const r of desiredRecords(inv).records) map.set(`${r.name} ${r.type}`, [...(map.get(`${r.name} ${r.type}`) ?? []), r.content].sort());
    return map;
  };
  const a = index(before);
  const b = index(after);
  const moves: DnsMove[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [name, type] = key.split(' ') as [string, string];
    const from = a.get(key)?.join(', ');
    const to = b.get(key)?.join(', ');
    if (from !== to) moves.push({ name, type, ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
  return moves;
}

/**
 * What the later steps need, checked before anything changes: for the management server, Telegram, recipients and
 * the identity that opens the backup on the new server, and the admin login to both databases.
 */
export async function preflight(plan: ReplacePlan, loaded: LoadedInventory, env: EnvFile): Promise<void> {
  if (plan.kind !== 'management') return;
  if (setting(env, 'BACKUP_MYSQL_ADDRESS')) throw refuse(`BACKUP_MYSQL_ADDRESS is set in ${env.path}: a replace restores on ${plan.newName}'s own MySQL, which that override would hide; remove it for the replace`);
  const [{ telegramSettings, backupRecipients, loadIdentities }, { mysqlSettings }] = await Promise.all([import('../backup/settings.js'), import('../users/connection.js')]);
  telegramSettings(loaded.inventory, env);
  if (backupRecipients(loaded.inventory).length === 0) throw refuse('fleet.backup.recipients is empty: the database moves through an encrypted backup, which needs them');
  await loadIdentities(env, undefined);
  mysqlSettings(loaded.inventory, env);
}

function refuse(message: string): WeclickError {
  return new WeclickError(message, { exitCode: EXIT.badInput });
}
