import { andThen, commandLine } from './shell.js';

/** Where a host's weclick lock and audit log live. */
export const LOCK_DIR = '/var/lib/weclick/lock';
export const AUDIT_LOG = '/var/log/weclick/audit.log';

export interface LockDetails {
  by: string;
  command: string;
  at: string;
  pid: number;
  message?: string;
}

// Like Kamal: mkdir is atomic, so exactly one run can create the lock directory.
export function acquireLockCommand(details: LockDetails): string {
  const encoded = Buffer.from(JSON.stringify(details)).toString('base64');
  return andThen(['mkdir', '-p', '/var/lib/weclick'], ['mkdir', LOCK_DIR], ['sh', '-c', `printf %s "$1" > ${LOCK_DIR}/details`, 'sh', encoded]);
}

export function lockStatusCommand(): string {
  return `${commandLine(['cat', `${LOCK_DIR}/details`])} 2>/dev/null || true`;
}

export function releaseLockCommand(): string {
  return commandLine(['rm', '-rf', LOCK_DIR]);
}

export function parseLockDetails(output: string): LockDetails | null {
  const text = output.trim();
  if (!text) return null;
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as LockDetails;
  } catch {
    return { by: 'unknown', command: 'unknown', at: 'unknown', pid: 0, message: 'unreadable lock details' };
  }
}

/** Appends one line to the host's audit log; the text is passed as an argument, never spliced. */
export function auditCommand(line: string): string {
  return andThen(['mkdir', '-p', '/var/log/weclick'], ['sh', '-c', `printf '%s\\n' "$1" >> ${AUDIT_LOG}`, 'sh', line.replace(/[\r\n]+/g, ' ')]);
}
