// Reading a zone, planning against the inventory, and applying a plan in batches with a verify read after.
import type { Inventory } from '../inventory/schema.js';
import type { EnvFile } from '../secrets/env-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { BATCH_LIMIT, batchChunks } from './batch.js';
import { CloudflareDns, cloudflareSettings, type ConnectOptions, type ZoneRef } from './cloudflare-api.js';
import { desiredRecords, type DesiredState } from './desired.js';
import { countChanges, diffZone, type DnsPlan, type PlanOptions } from './plan.js';
import type { ZoneRecord } from './records.js';

export interface DnsSession {
  api: CloudflareDns;
  zone: ZoneRef;
  desired: DesiredState;
}

/** Checks the inventory's names first (no request is made for an inventory that cannot be planned), then connects. */
export async function openDns(inventory: Inventory, env: EnvFile, options: ConnectOptions = {}): Promise<DnsSession> {
  const desired = desiredRecords(inventory);
  if (desired.problems.length > 0) {
    throw new WeclickError(`the inventory asks for names outside the Cloudflare zone ${desired.zone}; nothing was sent`, { exitCode: EXIT.badInput, details: desired.problems });
  }
  return { ...(await connectZone(desired.zone, env, options)), desired };
}

/** Connects and finds the zone (for listing, where the inventory's names do not matter). */
export async function connectZone(zoneName: string, env: EnvFile, options: ConnectOptions = {}): Promise<{ api: CloudflareDns; zone: ZoneRef }> {
  const api = await CloudflareDns.connect(cloudflareSettings(env), options);
  return { api, zone: await api.findZone(zoneName) };
}

export async function readZone(session: DnsSession): Promise<ZoneRecord[]> {
  return session.api.listRecords(session.zone);
}

export async function readPlan(session: DnsSession, options: PlanOptions = {}): Promise<DnsPlan> {
  return diffZone(session.desired, await readZone(session), options);
}

export interface ApplyResult {
  applied: number;
  batches: number;
  /** The verify read found the zone matching the inventory. */
  verified: boolean;
  /** Set when a batch failed but the re-read showed its changes in place (an answer lost on the way back). */
  note?: string;
}

/** Thrown when a batch is rejected or the verify read disagrees: says what was applied, carries what is left. */
export class DnsApplyError extends WeclickError {
  constructor(
    message: string,
    readonly remaining: DnsPlan | undefined,
    readonly appliedChanges: number,
    details: string[] = [],
  ) {
    super(message, { exitCode: EXIT.failed, details, data: { appliedChanges, remaining } });
    this.name = 'DnsApplyError';
  }
}

/** Refuses a plan the mass-change guard stops, unless forced (exit 4, nothing sent). */
export function assertGuard(plan: DnsPlan, force: boolean): void {
  if (plan.guard.tripped && !force) throw new WeclickError(`refused: ${plan.guard.reason}`, { exitCode: EXIT.refused, data: { guard: plan.guard } });
}

/**
 * Applies the plan in all-or-nothing batches of at most `limit` changes, then reads the zone again to verify.
 * A rejected batch stops the run: earlier batches stay applied (each is its own transaction), and the zone is
 * read again so the error carries the plan of what is still to do.
 */
export async function applyPlan(session: DnsSession, plan: DnsPlan, options: PlanOptions & { force?: boolean; limit?: number } = {}): Promise<ApplyResult> {
  assertGuard(plan, options.force ?? false);
  const chunks = batchChunks(plan.changes, options.limit ?? BATCH_LIMIT);
  let applied = 0;
  for (const [index, chunk] of chunks.entries()) {
    try {
      await session.api.batch(session.zone, chunk);
      applied += chunk.changes.length;
    } catch (error) {
      if (!(error instanceof WeclickError)) throw error;
      const remaining = await rereadAfterFailure(session, options);
      const known = new Set(plan.conflicts.map((c) => c.id));
      const newConflicts = remaining?.conflicts.filter((c) => !known.has(c.id)).length ?? 0;
      if (remaining && remaining.changes.length === 0 && newConflicts === 0) {
        return { applied: plan.changes.length, batches: chunks.length, verified: true, note: `${error.message}; but the zone, read again, already matches the inventory` };
      }
      const done =
        applied === 0
          ? 'nothing was applied'
          : `${index === 1 ? 'batch 1' : `batches 1-${index}`} (${applied} of ${plan.changes.length} changes) ${index === 1 ? 'was' : 'were'} applied; batch ${index + 1}${index + 1 < chunks.length ? ' and later' : ''} ${index + 1 < chunks.length ? 'were' : 'was'} not`;
      const left = remaining
        ? `the zone, read again: ${remaining.changes.length} change(s) still to do${newConflicts ? `, ${newConflicts} new record(s) in the way` : ''} (the plan is shown again)`
        : 'the zone could not be read again to show what is left';
      throw new DnsApplyError(`batch ${index + 1} of ${chunks.length} failed, ${done}: ${error.message}`, remaining, applied, [left]);
    }
  }
  const after = await readPlan(session, options);
  if (after.changes.length > 0) {
    const counts = countChanges(after);
    throw new DnsApplyError(
      `all ${chunks.length} batch(es) were accepted, but the verify read still differs from the inventory (${counts.create} create, ${counts.update + counts.adopt} update, ${counts.delete} delete)`,
      after,
      applied,
      ['someone may have changed the zone at the same time; run weclick dns plan to see it'],
    );
  }
  return { applied, batches: chunks.length, verified: true };
}

async function rereadAfterFailure(session: DnsSession, options: PlanOptions): Promise<DnsPlan | undefined> {
  try {
    return await readPlan(session, options);
  } catch {
    return undefined;
  }
}
