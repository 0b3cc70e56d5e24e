import { isSeq, type Document, type YAMLMap } from 'yaml';

/** Appends a server (name first, then the fields) to the document's servers, one per block. */
export function addServerNode(doc: Document, name: string, fields: Array<[string[], unknown]>): void {
  const server = doc.createNode({ name }) as YAMLMap;
  for (const [path, value] of fields) server.setIn(path, value);
  // `servers: []` (as `weclick init` writes it) is a flow list: servers go one per block, not all on one line.
  const servers = doc.get('servers', true);
  if (isSeq(servers)) servers.flow = false;
  doc.addIn(['servers'], server);
}

/** Raw values from `servers add|set` flags; strings are checked by the schema afterwards. */
export interface ServerFieldInput {
  hostname?: string;
  ip?: string;
  ipv6?: string;
  roles?: string;
  provider?: string;
  expires?: string;
  price?: string;
  currency?: string;
  state?: string;
  'ssh-user'?: string;
  'ssh-port'?: number;
  'ssh-key'?: string;
  label?: string[];
  notes?: string;
}

/**
 * Turns flag values into the YAML fields they set, keyed by path inside a server's map.
 * Numbers stay numbers so the schema reports a wrong price as a wrong price, not a type error.
 */
export function serverFieldsFromInput(input: ServerFieldInput): Array<[string[], unknown]> {
  const fields: Array<[string[], unknown]> = [];
  const put = (path: string[], value: unknown) => value !== undefined && fields.push([path, value]);
  put(['hostname'], input.hostname?.toLowerCase());
  put(['ipv4'], input.ip);
  put(['ipv6'], input.ipv6);
  put(['roles'], input.roles?.split(',').map((r) => r.trim()).filter(Boolean));
  put(['provider'], input.provider);
  put(['expires'], input.expires);
  if (input.price !== undefined) put(['price', 'monthly'], Number.isNaN(Number(input.price)) ? input.price : Number(input.price));
  put(['price', 'currency'], input.currency?.toUpperCase());
  put(['state'], input.state);
  put(['ssh', 'user'], input['ssh-user']);
  put(['ssh', 'port'], input['ssh-port']);
  put(['ssh', 'key'], input['ssh-key']);
  for (const label of input.label ?? []) {
    const eq = label.indexOf('=');
    if (eq <= 0) throw new Error(`--label '${label}' must be KEY=VALUE`);
    put(['labels', label.slice(0, eq)], label.slice(eq + 1));
  }
  put(['notes'], input.notes);
  return fields;
}
