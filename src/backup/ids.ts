import { randomBytes } from 'node:crypto';

/** 20250101-120000-ab12: sorts by time, readable in a chat, unique enough for one fleet. */
export const BACKUP_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

export function newBackupId(now: Date, suffix: string = randomBytes(2).toString('hex')): string {
  const iso = now.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ, always UTC
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${suffix}`;
}

/** A MySQL database name for a throw-away copy of a backup (verify), unique per run. */
export function scratchDatabaseName(id: string, suffix: string = randomBytes(3).toString('hex')): string {
  return `weclick_verify_${id.replaceAll('-', '_')}_${suffix}`;
}
