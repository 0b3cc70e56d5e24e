// Records of one zone: CRUD with Cloudflare's conflict rules, and snapshots for batch rollback.
import { randomBytes } from 'node:crypto';
import { cfErrors } from './errors.js';
import { identityKey, recordFields, type RecordFields } from './records.js';
import type { StoredRecord, ZoneInfo } from './types.js';

export const newId = (): string => randomBytes(16).toString('hex');

export type Snapshot = Map<string, StoredRecord>;

export class ZoneStore {
  /** Insertion-ordered; the default list order. */
  private records = new Map<string, StoredRecord>();
  /** name → ids, so conflict checks stay cheap with 10,000 records. */
  private byName = new Map<string, Set<string>>();

  constructor(readonly zone: ZoneInfo) {}

  all(): StoredRecord[] {
    return [...this.records.values()];
  }

  get(id: string): StoredRecord {
    const record = this.records.get(id);
    if (!record) throw cfErrors.recordMissing();
    return record;
  }

  create(body: Record<string, unknown>, now: string, id = newId()): StoredRecord {
    const fields = recordFields(body, this.zone.name);
    if (this.records.has(id)) throw new Error(`record id ${id} is already used`); // only seed() passes ids
    this.checkConflicts(fields);
    const record: StoredRecord = { id, ...fields, created_on: now, modified_on: now };
    if (fields.comment !== null) record.comment_modified_on = now;
    this.put(record);
    return record;
  }

  /** PUT: every field not in the body goes back to its default. */
  overwrite(id: string, body: Record<string, unknown>, now: string): StoredRecord {
    return this.replace(this.get(id), recordFields(body, this.zone.name), now);
  }

  /** PATCH: only the fields in the body change. */
  patch(id: string, body: Record<string, unknown>, now: string): StoredRecord {
    const current = this.get(id);
    return this.replace(current, recordFields(body, this.zone.name, current), now);
  }

  remove(id: string): StoredRecord {
    const record = this.get(id);
    this.records.delete(id);
    this.byName.get(record.name)?.delete(id);
    return record;
  }

  snapshot(): Snapshot {
    return new Map(this.records);
  }

  restore(snapshot: Snapshot): void {
    this.records = new Map(snapshot);
    this.byName = new Map();
    for (const record of this.records.values()) this.index(record);
  }

  private replace(current: StoredRecord, fields: RecordFields, now: string): StoredRecord {
    this.checkConflicts(fields, current.id);
    const next: StoredRecord = { id: current.id, ...fields, created_on: current.created_on, modified_on: now };
    const commentChanged = fields.comment !== current.comment;
    if (commentChanged || current.comment_modified_on) {
      next.comment_modified_on = commentChanged ? now : current.comment_modified_on;
    }
    if (current.tags_modified_on) next.tags_modified_on = current.tags_modified_on;
    this.byName.get(current.name)?.delete(current.id);
    this.put(next);
    return next;
  }

  private put(record: StoredRecord): void {
    this.records.set(record.id, record);
    this.index(record);
  }

  private index(record: StoredRecord): void {
    let ids = this.byName.get(record.name);
    if (!ids) this.byName.set(record.name, (ids = new Set()));
    ids.add(record.id);
  }

  /** Cloudflare refuses exact duplicates, and CNAMEs next to A/AAAA/CNAME records of the same name. */
  private checkConflicts(fields: RecordFields, selfId?: string): void {
    const key = identityKey(fields);
    for (const id of this.byName.get(fields.name) ?? []) {
      const other = this.records.get(id);
      if (!other || id === selfId) continue;
      if (identityKey(other) === key) throw cfErrors.identicalExists();
      if (fields.type === 'CNAME' && ['A', 'AAAA', 'CNAME'].includes(other.type)) throw cfErrors.hostTaken();
      if ((fields.type === 'A' || fields.type === 'AAAA') && other.type === 'CNAME') throw cfErrors.cnameTaken();
    }
  }
}
