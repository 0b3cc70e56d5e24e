import type { Pool } from 'mysql2/promise';
import type { Server } from '../inventory/schema.js';
import { readSecrets, secretsFilePath, updateSecrets } from '../secrets/secrets-file.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { registerSecret } from '../ui/redact.js';
import { accountPlan, applyAccount, existingAccounts, newAccountPassword, type AccountPlan } from './db-accounts.js';

export interface GrantOutcome {
  plan: AccountPlan;
  created: boolean;
  secretsFile: string;
}

/**
 * `weclick db grant`: creates the server's account with a new password (stored in the secrets file first), or
 * keeps an existing one and resets its grants. An account whose password weclick does not hold is refused.
 */
export async function grantServerAccount(pool: Pool, inventoryFile: string, server: Pick<Server, 'name' | 'ipv4'>, database: string, options: { migrations?: boolean } = {}): Promise<GrantOutcome> {
  const file = secretsFilePath(inventoryFile);
  const stored = (await readSecrets(file)).mysql?.accounts?.[server.name];
  const plan = accountPlan(server, options);
  const exists = (await existingAccounts(pool)).some((a) => a.user === plan.user && a.host === plan.host);
  if (exists && stored?.user !== plan.user) {
    throw new WeclickError(`${plan.user}@${plan.host} exists but its password is not in ${file}: set a new one with weclick db rotate ${server.name}`, { exitCode: EXIT.badInput });
  }
  const password = exists ? undefined : newAccountPassword();
  registerSecret(password);
  if (password) {
    // Stored before the account exists: a crash in between leaves an unused password, never a lost one.
    await updateSecrets(file, (s) => {
      s.mysql = { ...s.mysql, accounts: { ...s.mysql?.accounts, [server.name]: { user: plan.user, host: plan.host, password, setAt: new Date().toISOString() } } };
    });
  }
  await applyAccount(pool, plan, database, password);
  return { plan, created: !exists, secretsFile: file };
}
