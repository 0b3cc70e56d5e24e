// Commands run on the database and management hosts, built as argv (values passed as positional arguments to a
// fixed script, never spliced into it) so unit tests can read exactly what runs.

/** Where the mysql client on the host finds the server: host:port over TCP, or a Unix socket path. */
export type MysqlAddress = { host: string; port: number } | { socket: string };

export interface MysqlLogin {
  user: string;
  password: string;
}

/** What a host command needs: its argv, and what to write to its stdin first. */
export interface HostCommand {
  argv: string[];
  stdin: string;
}

/** Marzban's files on the management server (Marzban's installer puts them there). */
export const MARZBAN_FILES = ['/opt/marzban/.env', '/opt/marzban/docker-compose.yml', '/var/lib/marzban/xray_config.json'];

/** mysqldump as the issue asks: one consistent snapshot (InnoDB), with routines and triggers. */
export const DUMP_OPTIONS = ['--single-transaction', '--quick', '--routines', '--triggers', '--hex-blob', '--default-character-set=utf8mb4', '--no-tablespaces'];

// The login reaches the client as a defaults file read from a pipe: the password is never in argv (ps) nor
// on the host's disk. The first stdin line carries it base64-encoded (empty: use the host's own client config).
const WITH_LOGIN = `IFS= read -r login || true
client() {
  prog=$1; shift
  if [ -n "$login" ]; then "$prog" --defaults-extra-file=<(printf %s "$login" | base64 -d) "$@"
  else "$prog" "$@"; fi
}
where() {
  case "$1" in
    /*) echo "--socket=$1" ;;
    *) echo "--host=$1"; echo "--port=$2"; echo "--protocol=TCP" ;;
  esac
}
`;

export function loginLine(login: MysqlLogin | undefined): string {
  if (!login) return '\n';
  // Quoted values: a password may hold # or ; which option files would otherwise cut.
  const quote = (v: string) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return `${Buffer.from(`[client]\nuser=${quote(login.user)}\npassword=${quote(login.password)}\n`).toString('base64')}\n`;
}

function addressArgs(address: MysqlAddress): [string, string] {
  return 'socket' in address ? [address.socket, ''] : [address.host, String(address.port)];
}

/** mysqldump of one database, gzipped on the host; pipefail makes a failed dump fail the command. */
export function dumpCommand(database: string, address: MysqlAddress, login?: MysqlLogin): HostCommand {
  const script = `set -o pipefail
${WITH_LOGIN}mapfile -t at < <(where "$2" "$3")
client mysqldump "\${at[@]}" ${DUMP_OPTIONS.join(' ')} -- "$1" | gzip -c`;
  return { argv: ['bash', '-c', script, 'weclick-dump', database, ...addressArgs(address)], stdin: loginLine(login) };
}

/** Loads SQL (gzipped by weclick, so the link carries less) into one database. */
export function loadCommand(database: string, address: MysqlAddress, login?: MysqlLogin): HostCommand {
  const script = `set -o pipefail
${WITH_LOGIN}mapfile -t at < <(where "$2" "$3")
gzip -dc | client mysql "\${at[@]}" --default-character-set=utf8mb4 -- "$1"`;
  return { argv: ['bash', '-c', script, 'weclick-load', database, ...addressArgs(address)], stdin: loginLine(login) };
}

/** One SQL statement through the mysql client; tab-separated rows on stdout. */
export function queryCommand(sql: string, address: MysqlAddress, login?: MysqlLogin): HostCommand {
  const script = `${WITH_LOGIN}mapfile -t at < <(where "$2" "$3")
client mysql "\${at[@]}" --batch --skip-column-names --default-character-set=utf8mb4 -e "$1"`;
  return { argv: ['bash', '-c', script, 'weclick-query', sql, ...addressArgs(address)], stdin: loginLine(login) };
}

/**
 * Prints each file that exists as "FILE <path>" and its base64 on the next line; "TOOBIG <path>" past the limit.
 * Base64 keeps the framing exact even if a file changes while it is read.
 */
export function readFilesCommand(paths: string[], maxBytes: number): string[] {
  const script = `max=$1; shift
for p in "$@"; do
  [ -f "$p" ] || continue
  if [ "$(wc -c < "$p")" -gt "$max" ]; then printf 'TOOBIG %s\\n' "$p"; continue; fi
  printf 'FILE %s\\n' "$p"
  base64 -w0 < "$p" || exit 1
  printf '\\n'
done`;
  return ['sh', '-c', script, 'weclick-files', String(maxBytes), ...paths];
}

export function parseFilesOutput(output: string): { files: Array<{ path: string; bytes: Buffer }>; tooBig: string[] } {
  const lines = output.split('\n');
  const files: Array<{ path: string; bytes: Buffer }> = [];
  const tooBig: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('TOOBIG ')) tooBig.push(line.slice(7));
    else if (line.startsWith('FILE ')) files.push({ path: line.slice(5), bytes: Buffer.from(lines[++i] ?? '', 'base64') });
  }
  return { files, tooBig };
}

/** Where the backup lock lives: /run is memory, so a full disk never stops a backup from locking. */
export const BACKUP_LOCK_FILE = '/run/lock/weclick-backup.lock';

/**
 * Holds an exclusive flock on the lock file for as long as our stdin stays open: when weclick ends, or its
 * connection dies, `cat` sees EOF and the kernel drops the lock. No stale lock can outlive its owner.
 * Prints LOCKED once held; exits 75 with the holder's details when another backup holds it.
 */
export function holdLockCommand(details: string): string[] {
  const script = `f=$1
mkdir -p "\${f%/*}" || exit 70
exec 9>>"$f" || exit 71
if ! flock -n 9; then cat "$f"; exit 75; fi
printf '%s\\n' "$2" > "$f" || exit 72
echo LOCKED
exec cat > /dev/null`;
  return ['sh', '-c', script, 'weclick-lock', BACKUP_LOCK_FILE, details];
}

/** Refuses plain names only: database names reach SQL (quoted) and shell arguments. */
export const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

export function quoteIdentifier(name: string): string {
  if (!DATABASE_NAME.test(name)) throw new Error(`not a plain database name: ${name}`);
  return `\`${name}\``;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
