import type { Inventory } from '../inventory/schema.js';
import { compareRecords, desiredRecords, type DesiredState } from './desired.js';
import { checkGuard, type GuardResult } from './guard.js';
import { isOwned, ownedComment } from './ownership.js';
import { normalContent, normalName, type DesiredRecord, type RecordValue, type ZoneRecord } from './records.js';

export type ChangeAction = 'delete' | 'update' | 'adopt' | 'create';

export interface DnsChange {
  action: ChangeAction;
  name: string;
  type: string;
  /** The record's id in the zone (absent for a create). */
  id?: string;
  before?: RecordValue;
  after?: RecordValue;
  reasons: string[];
}

/** A record weclick does not own that stands in the inventory's way: reported, never touched. */
export interface DnsConflict {
  id: string;
  name: string;
  type: string;
  content: string;
  comment: string | null;
  problem: string;
}

export interface DnsPlan {
  zone: string;
  /** In the order the batch API runs them: deletes, then updates (and adoptions), then creates. */
  changes: DnsChange[];
  conflicts: DnsConflict[];
  unchanged: number;
  /** Records in the zone carrying weclick's marker, and the others. */
  owned: number;
  unowned: number;
  guard: GuardResult;
  warnings: string[];
  problems: string[];
}

export interface PlanOptions {
  /** Take over unowned records whose name, type and content match the inventory. */
  adopt?: boolean;
}

/** The plan that makes the zone match the inventory: pure, shared by `dns plan|sync` and the provisioning flows. */
export function planDns(inventory: Inventory, current: ZoneRecord[], options: PlanOptions = {}): DnsPlan {
  return diffZone(desiredRecords(inventory), current, options);
}

const ORDER: Record<ChangeAction, number> = { delete: 0, update: 1, adopt: 1, create: 2 };

/**
 * Diffs per record inside each (name, type) set, as Cloudflare stores one record per value. Only owned records
 * are updated or deleted; an unowned record is adopted only with `adopt` and only when it already holds a
 * wanted value; any other unowned record at a wanted name and type (or a CNAME there) blocks creates.
 */
export function diffZone(desired: DesiredState, current: ZoneRecord[], options: PlanOptions = {}): DnsPlan {
  const records = current.map((r) => ({ ...r, name: normalName(r.name), content: normalContent(r.type, r.content) }));
  const owned = records.filter((r) => isOwned(r.comment));
  const unowned = records.filter((r) => !isOwned(r.comment));
  const changes: DnsChange[] = [];
  const conflicts = new Map<string, DnsConflict>();
  let unchanged = 0;

  const wantedSets = groupBy(desired.records, setKey);
  const ownedSets = groupBy(owned, setKey);
  for (const key of new Set([...wantedSets.keys(), ...ownedSets.keys()])) {
    let wanted = [...(wantedSets.get(key) ?? [])];
    let ours = [...(ownedSets.get(key) ?? [])].sort(compareRecords);

    // 1. Same value already there and ours: nothing, or a TTL/proxy/comment fix.
    for (const want of [...wanted]) {
      const match = ours.find((r) => r.content === want.content);
      if (!match) continue;
      wanted = wanted.filter((w) => w !== want);
      ours = ours.filter((r) => r !== match);
      const after = valueOf(want, match.comment);
      if (sameValue(match, after)) unchanged += 1;
      else changes.push({ action: 'update', name: want.name, type: want.type, id: match.id, before: valueOf(match, match.comment), after, reasons: want.reasons });
    }

    // 2. Same value there but not ours: adopt when asked, otherwise report. Either way it is not created again.
    const [name, type] = key.split('\u0000') as [string, string];
    const theirs = unowned.filter((r) => r.name === name && r.type === type);
    const matched = new Set<string>();
    for (const want of [...wanted]) {
      const match = theirs.find((r) => r.content === want.content);
      if (!match) continue;
      wanted = wanted.filter((w) => w !== want);
      matched.add(match.id);
      if (options.adopt) {
        changes.push({ action: 'adopt', name, type, id: match.id, before: valueOf(match, match.comment), after: valueOf(want, ownedComment(match.comment)), reasons: want.reasons });
      } else {
        conflicts.set(match.id, conflictOf(match, `matches the inventory (${want.reasons.join(', ')}) but is not weclick's; --adopt takes it over`));
      }
    }

    // 3. Our leftover records take the leftover values (an update); whatever is still wanted is a create.
    wanted.sort(compareRecords);
    while (wanted.length > 0 && ours.length > 0) {
      const want = wanted.shift()!;
      const record = ours.shift()!;
      changes.push({ action: 'update', name, type, id: record.id, before: valueOf(record, record.comment), after: valueOf(want, record.comment), reasons: want.reasons });
    }
    for (const record of ours) changes.push({ action: 'delete', name, type, id: record.id, before: valueOf(record, record.comment), reasons: ['not in the inventory'] });

    // 4. Any other unowned value at this name and type (or a CNAME there) blocks creates: mixing values would
    //    split traffic between the inventory's servers and someone else's.
    const blockers = wanted.length === 0 ? [] : unowned.filter((r) => r.name === name && !matched.has(r.id) && (r.type === type || r.type === 'CNAME'));
    for (const blocker of blockers) {
      const values = wanted.map((w) => w.content).join(', ');
      conflicts.set(blocker.id, conflictOf(blocker, `not weclick's and in the way of ${type} ${values} (${wanted[0]!.reasons.join(', ')}); left untouched, so that is not created`));
    }
    if (blockers.length === 0) {
      for (const want of wanted) changes.push({ action: 'create', name, type, after: valueOf(want, ownedComment(null)), reasons: want.reasons });
    }
  }

  changes.sort((a, b) => ORDER[a.action] - ORDER[b.action] || compareRecords(changeKey(a), changeKey(b)));
  return {
    zone: desired.zone,
    changes,
    conflicts: [...conflicts.values()].sort(compareRecords),
    unchanged,
    owned: owned.length,
    unowned: unowned.length,
    guard: checkGuard(owned.length, changes),
    warnings: desired.warnings,
    problems: desired.problems,
  };
}

export function countChanges(plan: Pick<DnsPlan, 'changes'>): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { create: 0, update: 0, delete: 0, adopt: 0 };
  for (const change of plan.changes) counts[change.action] += 1;
  return counts;
}

function setKey(r: { name: string; type: string }): string {
  return `${r.name}\u0000${r.type}`;
}

function changeKey(c: DnsChange): { name: string; type: string; content: string } {
  return { name: c.name, type: c.type, content: (c.after ?? c.before)?.content ?? '' };
}

function valueOf(r: Pick<DesiredRecord, 'content' | 'ttl' | 'proxied'>, comment: string | null): RecordValue {
  return { content: r.content, ttl: r.ttl, proxied: r.proxied, comment };
}

function sameValue(a: RecordValue, b: RecordValue): boolean {
  return a.content === b.content && a.ttl === b.ttl && a.proxied === b.proxied && (a.comment ?? null) === (b.comment ?? null);
}

function conflictOf(r: ZoneRecord, problem: string): DnsConflict {
  return { id: r.id, name: r.name, type: r.type, content: r.content, comment: r.comment ?? null, problem };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}
