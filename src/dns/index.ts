// The pure DNS planning API, for the dns commands and for the provisioning and decommission flows.
// (The Cloudflare client is in cloudflare-api.ts and sync.ts; it loads the SDK only when it connects.)
export { batchChunks, BATCH_LIMIT, type BatchBody } from './batch.js';
export { desiredRecords, type DesiredState } from './desired.js';
export { checkGuard, GUARD_MAX_SHARE, GUARD_MIN_OWNED, type GuardResult } from './guard.js';
export { isOwned, OWNER_MARKER, ownedComment } from './ownership.js';
export { countChanges, diffZone, planDns, type ChangeAction, type DnsChange, type DnsConflict, type DnsPlan, type PlanOptions } from './plan.js';
export type { DesiredRecord, RecordValue, ZoneRecord } from './records.js';
