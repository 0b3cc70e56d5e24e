// The mass-change guard, after OctoDNS's: a big change to a zone is more often a mistake than a plan.

/** A zone needs at least this many owned records before the guard applies (a new fleet changes a lot). */
export const GUARD_MIN_OWNED = 10;
/** Share of owned records that may be updated or deleted in one sync without --force. */
export const GUARD_MAX_SHARE = 0.3;

export interface GuardResult {
  owned: number;
  /** Owned records the plan would update or delete (creates and adoptions do not count). */
  touched: number;
  /** touched / owned, 0..1. */
  share: number;
  tripped: boolean;
  reason?: string;
}

export function checkGuard(owned: number, changes: ReadonlyArray<{ action: string }>): GuardResult {
  const touched = changes.filter((c) => c.action === 'update' || c.action === 'delete').length;
  const share = owned === 0 ? 0 : touched / owned;
  const tripped = owned >= GUARD_MIN_OWNED && share > GUARD_MAX_SHARE;
  const result: GuardResult = { owned, touched, share, tripped };
  if (tripped) {
    result.reason = `${touched} of ${owned} owned records (${Math.round(share * 100)}%) would be updated or deleted, more than ${GUARD_MAX_SHARE * 100}% of a zone with ${GUARD_MIN_OWNED} or more owned records; check the plan, then re-run with --force`;
  }
  return result;
}
