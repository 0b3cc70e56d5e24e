// The commands the crash-converge suite kills, one entry each (issue 9, item 2). A new command is one more
// entry: a CrashTarget (see crash-target.ts) in a crash-<command>.ts file, added to this list.
import { backupNowTarget } from './crash-backup.js';
import { dnsSyncTarget } from './crash-dns.js';
import { provisionTarget } from './crash-provision.js';
import { replaceTarget } from './crash-replace.js';
import type { CrashTarget } from './crash-target.js';
import { usersImportTarget } from './crash-users.js';

export const CRASH_TARGETS: CrashTarget[] = [provisionTarget, usersImportTarget, dnsSyncTarget, backupNowTarget, replaceTarget];
