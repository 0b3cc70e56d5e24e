import { readSecrets, secretsFilePath, updateSecrets, type Secrets } from '../secrets/secrets-file.js';
import { registerSecret } from '../ui/redact.js';

export type SecretPath = readonly string[];

/**
 * The secrets provisioning generates or reads back from hosts (REALITY keys, the MySQL root password, Outline's
 * apiUrl and certSha256), kept in weclick.secrets.yaml beside the inventory (src/secrets/secrets-file.ts: mode
 * 0600, atomic rewrites) next to the per-server MySQL accounts of `weclick db grant`.
 */
export interface SecretsStore {
  readonly file: string;
  /** The file as read at load time (every string registered for redaction). */
  readonly data: Secrets;
  get(path: SecretPath): string | undefined;
  getList(path: SecretPath): string[] | undefined;
  /** Read, change, write back (atomic, 0600); other keys of the file survive. */
  set(path: SecretPath, value: string | string[]): Promise<void>;
  delete(path: SecretPath): Promise<void>;
}

type Tree = Record<string, unknown>;

const at = (tree: unknown, path: SecretPath): unknown => path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Tree)[key] : undefined), tree);

export async function loadSecretsStore(inventoryFile: string): Promise<SecretsStore> {
  const file = secretsFilePath(inventoryFile);
  let data = await readSecrets(file);
  registerStrings(data);
  return {
    file,
    get data() {
      return data;
    },
    get(path) {
      const value = at(data, path);
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    },
    getList(path) {
      const value = at(data, path);
      return Array.isArray(value) ? value.map(String) : undefined;
    },
    async set(path, value) {
      data = await updateSecrets(file, (secrets) => {
        let node = secrets as Tree;
        for (const key of path.slice(0, -1)) {
          if (!node[key] || typeof node[key] !== 'object') node[key] = {};
          node = node[key] as Tree;
        }
        node[path.at(-1)!] = value;
      });
      registerStrings(data);
    },
    async delete(path) {
      data = await updateSecrets(file, (secrets) => {
        const parent = at(secrets, path.slice(0, -1));
        if (parent && typeof parent === 'object') delete (parent as Tree)[path.at(-1)!];
      });
    },
  };
}

/** Everything in the file is secret except names, addresses, times and certificate fingerprints (public in every TLS handshake). */
function registerStrings(value: unknown, key?: string): void {
  if (Array.isArray(value)) value.forEach((v) => registerStrings(v, key));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) registerStrings(v, k);
  else if (typeof value === 'string' && !['user', 'host', 'setAt', 'certSha256'].includes(key ?? '')) registerSecret(value);
}
