import type { LoadedInventory } from '../base-command.js';
import { loadSecretsStore } from '../provision/secrets-store.js';
import { SECRET_PATHS } from '../provision/secrets.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';
import { registerSecret } from '../ui/redact.js';
import { InputError, parseSize } from '../users/units.js';
import { OutlineClient, OutlineError } from './client.js';

/** The Outline server to talk to (the only one, or --server) and its pinned client, from the secrets file. */
export async function outlineClientFor(loaded: LoadedInventory, name?: string): Promise<{ server: string; client: OutlineClient }> {
  const servers = loaded.inventory.servers.filter((s) => s.roles.includes('outline') && s.state !== 'retired');
  const server = name ? servers.find((s) => s.name === name) : servers.length === 1 ? servers[0] : undefined;
  if (!server) {
    const message = name ? `${name} is not an Outline server in the inventory` : servers.length === 0 ? 'no server holds the outline role' : `several Outline servers (${servers.map((s) => s.name).join(', ')}): pick one with --server`;
    throw new WeclickError(message, { exitCode: EXIT.badInput });
  }
  const secrets = await loadSecretsStore(loaded.file);
  const apiUrl = secrets.get([...SECRET_PATHS.outline(server.name), 'apiUrl']);
  const certSha256 = secrets.get([...SECRET_PATHS.outline(server.name), 'certSha256']);
  if (!apiUrl || !certSha256) {
    throw new WeclickError(`no apiUrl/certSha256 for ${server.name} in ${secrets.file}: run weclick provision ${server.name} (it reads them from the server's access.txt)`, { exitCode: EXIT.badInput });
  }
  registerSecret(apiUrl);
  try {
    return { server: server.name, client: new OutlineClient({ apiUrl, certSha256 }) };
  } catch (error) {
    throw new WeclickError(`${secrets.file}: ${(error as Error).message}`, { exitCode: EXIT.badInput });
  }
}

/** Turns API and pinning failures into one clear line (exit 1; the apiUrl never appears). */
export async function outlineCall<T>(server: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OutlineError) {
      throw new WeclickError(`Outline on ${server}: ${error.message}`, { exitCode: error.status === 404 ? EXIT.badInput : EXIT.failed });
    }
    throw error;
  }
}

/** A data limit from the operator ("50GB"), or exit 3 saying what is accepted; null means no limit. */
export function parseLimit(text: string): number | null {
  try {
    return parseSize(text);
  } catch (error) {
    if (error instanceof InputError) throw new WeclickError(error.message, { exitCode: EXIT.badInput });
    throw error;
  }
}
