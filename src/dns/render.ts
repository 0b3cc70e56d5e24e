// Text for the dns commands: plans as before → after tables, zone listings. Returns strings; prints nothing.
import { renderTable } from '../ui/table.js';
import { isOwned, userComment } from './ownership.js';
import { countChanges, type ChangeAction, type DnsPlan } from './plan.js';
import type { RecordValue, ZoneRecord } from './records.js';
import type { ApiFailure } from './retry.js';

/** Colouring the command passes in (chalk in a terminal, identity otherwise). */
export interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
}

const plain = (text: string) => text;
export const NO_PAINT: Paint = { green: plain, red: plain, yellow: plain, dim: plain };

export function summaryLine(plan: DnsPlan): string {
  const n = countChanges(plan);
  const parts = [`${n.create} to create`, `${n.update} to update`, `${n.delete} to delete`];
  if (n.adopt > 0) parts.push(`${n.adopt} to adopt`);
  return `Zone ${plan.zone}: ${parts.join(', ')}; ${plan.unchanged} unchanged; ${plan.owned} owned by weclick, ${plan.unowned} not (left alone).`;
}

/** The plan as a table (action, name, type, before → after, why), then conflicts, warnings and the guard. */
export function renderPlan(plan: DnsPlan, paint: Paint = NO_PAINT): string {
  const out: string[] = [summaryLine(plan)];
  if (plan.changes.length > 0) {
    const colour: Record<ChangeAction, (t: string) => string> = { create: paint.green, update: paint.yellow, adopt: paint.yellow, delete: paint.red };
    const rows = plan.changes.map((c) => [colour[c.action](c.action), c.name, c.type, c.before ? formatValue(c.before) : '', '→', c.after ? formatValue(c.after, c.before) : '(deleted)', c.reasons.join('; ')]);
    out.push('', renderTable(['ACTION', 'NAME', 'TYPE', 'BEFORE', '', 'AFTER', 'WHY'], rows));
  }
  if (plan.conflicts.length > 0) {
    out.push('', `Not touched: ${plan.conflicts.length} record(s) weclick does not own stand where the inventory wants its own:`);
    out.push(renderTable(['NAME', 'TYPE', 'CONTENT', 'PROBLEM'], plan.conflicts.map((c) => [c.name, c.type, c.content, c.problem])));
  }
  for (const warning of plan.warnings) out.push(paint.yellow(`warning: ${warning}`));
  if (plan.guard.tripped) out.push('', paint.red(`Needs --force: ${plan.guard.reason}`));
  return out.join('\n');
}

/** content, TTL, proxying and (when it changes) the comment. */
export function formatValue(value: RecordValue, before?: RecordValue): string {
  const parts = [value.content, `ttl ${value.ttl === 1 ? 'auto' : value.ttl}`];
  if (value.proxied) parts.push('proxied');
  if (before && (before.comment ?? null) !== (value.comment ?? null)) parts.push(`comment "${value.comment ?? ''}"`);
  return parts.join(' ');
}

export interface ListedRecord extends ZoneRecord {
  owned: boolean;
}

export function withOwnership(records: ZoneRecord[]): ListedRecord[] {
  return records.map((r) => ({ ...r, owned: isOwned(r.comment) }));
}

export function renderRecords(records: ListedRecord[], paint: Paint = NO_PAINT): string {
  const rows = records.map((r) => [r.name, r.type, r.content, r.ttl === 1 ? 'auto' : String(r.ttl), r.proxied ? 'yes' : 'no', r.owned ? paint.green('weclick') : paint.dim('-'), userComment(r.comment)]);
  return renderTable(['NAME', 'TYPE', 'CONTENT', 'TTL', 'PROXIED', 'OWNER', 'COMMENT'], rows);
}

/** The note printed while waiting out a 429 or a 5xx. */
export function retryNote(failure: ApiFailure, delayMs: number, attempt: number): string {
  const what = failure.kind === 'rate-limited' ? 'rate limited (HTTP 429)' : failure.kind === 'server' ? `HTTP ${failure.status}` : 'connection failed';
  return `Cloudflare: ${what}; retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`;
}
