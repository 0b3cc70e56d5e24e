// Where provisioning meets parts of weclick it does not own, behind small interfaces:
//  - the secrets file (src/secrets/secrets-file.ts), through SecretsStore (secrets-store.ts);
//  - per-server MySQL accounts (`weclick db grant|rotate|revoke`, src/users/db-accounts.ts): provisioning reads a
//    server's credentials to render its Marzban .env, and decommission revokes the account;
//  - DNS (src/dns/desired.ts): which records a retirement makes the inventory stop asking for (`weclick dns sync`
//    applies them).
import type { LoadedInventory } from '../base-command.js';
import type { Inventory, Server } from '../inventory/schema.js';
import { loadSecretsStore, type SecretsStore } from './secrets-store.js';

export interface DbCredentials {
  user: string;
  password: string;
}

export interface RevokeOutcome {
  revoked: boolean;
  /** What was done (never a password). */
  detail: string;
}

export interface WorkerAccountsPort {
  /** The server's own MySQL account, or undefined when it has none yet. */
  credentials(server: string): DbCredentials | undefined;
  /** Drops the server's MySQL account(s) from every address and forgets the password. */
  revokeWorkerAccount(server: Server, loaded: LoadedInventory): Promise<RevokeOutcome>;
  /** The command that creates an account, for messages. */
  howToCreate(server: string): string;
}

export interface DnsRecordChange {
  name: string;
  type: string;
  content: string;
}

export interface ProvisionPorts {
  secrets: SecretsStore;
  accounts: WorkerAccountsPort;
  dnsRecordsDropped(before: Inventory, after: Inventory): Promise<DnsRecordChange[]>;
}

export async function provisionPorts(inventoryFile: string): Promise<ProvisionPorts> {
  const secrets = await loadSecretsStore(inventoryFile);
  return { secrets, accounts: dbAccounts(secrets), dnsRecordsDropped };
}

/** Accounts as `weclick db grant` records them (mysql.accounts.<server> in the secrets file). */
export function dbAccounts(secrets: SecretsStore): WorkerAccountsPort {
  return {
    credentials(server) {
      const account = secrets.data.mysql?.accounts?.[server];
      return account?.user && account.password ? { user: account.user, password: account.password } : undefined;
    },
    howToCreate: (server) => `weclick db grant ${server}`,
    async revokeWorkerAccount(server, loaded) {
      // Loaded only here: it opens MySQL (mysql2) with the admin account from .env.
      const [{ withUsers }, { accountName, dropAccounts }] = await Promise.all([import('../users/users-context.js'), import('../users/db-accounts.js')]);
      const user = accountName(server.name);
      const dropped = await withUsers(loaded, {}, (ctx) => dropAccounts(ctx.pool, user));
      await secrets.delete(['mysql', 'accounts', server.name]);
      return { revoked: dropped.length > 0, detail: dropped.length > 0 ? `dropped ${dropped.map((a) => `${a.user}@${a.host}`).join(', ')}` : `no account ${user} existed` };
    },
  };
}

/** Records the inventory stops asking for when it changes from `before` to `after` (a retired server's A record). */
export async function dnsRecordsDropped(before: Inventory, after: Inventory): Promise<DnsRecordChange[]> {
  const { desiredRecords } = await import('../dns/desired.js');
  const key = (r: DnsRecordChange) => `${r.name} ${r.type} ${r.content}`;
  const kept = new Set(desiredRecords(after).records.map(key));
  return desiredRecords(before).records.filter((r) => !kept.has(key(r))).map((r) => ({ name: r.name, type: r.type, content: r.content }));
}
