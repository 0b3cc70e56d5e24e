// HAProxy's runtime API (doc/management.txt) over the admin socket, driven with socat on the entry point.
// Builders return argv/shell lines; parsers take what HAProxy printed. No I/O here.
import { commandLine } from '../remote/shell.js';
import { HAPROXY } from './paths.js';

/** argv that sends one runtime command to the admin socket and prints the answer. */
export function runtimeArgv(command: string, socket: string = HAPROXY.socket): string[] {
  if (/[\r\n;]/.test(command)) throw new Error('a runtime command is one line without ;');
  return ['sh', '-c', 'printf "%s\\n" "$1" | socat -t 5 stdio "UNIX-CONNECT:$2"', 'sh', command, socket];
}

/** The same as one shell line (for probe scripts). */
export function runtimeLine(command: string, socket: string = HAPROXY.socket): string {
  return commandLine(runtimeArgv(command, socket));
}

export type ServerAdminState = 'ready' | 'drain' | 'maint';

const NAME = /^[A-Za-z0-9_.:-]+$/;

export function setStateCommand(backend: string, server: string, state: ServerAdminState): string {
  if (!NAME.test(backend) || !NAME.test(server)) throw new Error(`bad backend/server name ${backend}/${server}`);
  return `set server ${backend}/${server} state ${state}`;
}

export interface StatRow {
  proxy: string;
  server: string;
  /** UP, DOWN, DRAIN, MAINT, "UP 1/2", no check… as HAProxy prints it. */
  status: string;
  currentSessions: number;
  maxSessions: number;
  totalSessions: number;
  weight: number;
  checkStatus: string;
  lastChangeSeconds: number | null;
}

/** Parses `show stat` (CSV with a "# pxname,svname,…" header). */
export function parseShowStat(output: string): StatRow[] {
  const lines = output.split('\n').filter((l) => l.trim());
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return [];
  const columns = header.slice(2).split(',');
  const at = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? '';
  const num = (text: string) => (text === '' ? 0 : Number(text));
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((line) => line.split(','))
    .map((cells) => ({
      proxy: at(cells, 'pxname'),
      server: at(cells, 'svname'),
      status: at(cells, 'status'),
      currentSessions: num(at(cells, 'scur')),
      maxSessions: num(at(cells, 'smax')),
      totalSessions: num(at(cells, 'stot')),
      weight: num(at(cells, 'weight')),
      checkStatus: at(cells, 'check_status'),
      lastChangeSeconds: at(cells, 'lastchg') === '' ? null : Number(at(cells, 'lastchg')),
    }));
}

/** Bits of srv_admin_state (src/server.h): forced maintenance and forced drain are what operators set. */
export const ADMIN = { FMAINT: 0x01, IMAINT: 0x02, CMAINT: 0x04, FDRAIN: 0x08, IDRAIN: 0x10, RMAINT: 0x20, HMAINT: 0x40 } as const;

export interface ServerStateRow {
  backend: string;
  server: string;
  address: string;
  port: number | null;
  operState: number;
  adminState: number;
  weight: number;
}

/** Parses `show servers state` (version 1: a version line, a "# be_id be_name …" header, then rows). */
export function parseServersState(output: string): ServerStateRow[] {
  const lines = output.split('\n').filter((l) => l.trim());
  const header = lines.find((l) => l.startsWith('# be_id'));
  if (!header) return [];
  const columns = header.slice(2).split(/\s+/);
  const at = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? '';
  return lines
    .filter((l) => /^\d+\s/.test(l))
    .map((line) => line.trim().split(/\s+/))
    .map((cells) => ({
      backend: at(cells, 'be_name'),
      server: at(cells, 'srv_name'),
      address: at(cells, 'srv_addr'),
      port: at(cells, 'srv_port') ? Number(at(cells, 'srv_port')) : null,
      operState: Number(at(cells, 'srv_op_state')),
      adminState: Number(at(cells, 'srv_admin_state')),
      weight: Number(at(cells, 'srv_uweight')),
    }));
}

/** The admin state an operator set, from the state bits: maint wins over drain. */
export function adminStateOf(row: Pick<ServerStateRow, 'adminState'>): ServerAdminState {
  if (row.adminState & (ADMIN.FMAINT | ADMIN.CMAINT)) return 'maint';
  if (row.adminState & ADMIN.FDRAIN) return 'drain';
  return 'ready';
}
