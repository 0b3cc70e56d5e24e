import { WeclickCommand } from '../../base-command.js';
import { HAPROXY } from '../../haproxy/paths.js';
import { connectEntry, readStats } from '../../haproxy/entry.js';
import { EXIT } from '../../ui/exit-codes.js';
import { hostFlags } from '../../ui/host-flags.js';
import { renderTable } from '../../ui/table.js';

export interface BackendRow {
  server: string;
  status: string;
  inventory: string;
  sessions: number;
  maxSessions: number;
  totalSessions: number;
  check: string;
}

export default class HaproxyStatus extends WeclickCommand {
  static summary = "The entry point's backends from HAProxy's runtime API: state, sessions, health checks, beside the inventory.";
  static description = `Reads \`show stat\` on the entry point's admin socket (${HAPROXY.socket}) over SSH.

Exit codes: 0 every active worker is UP and HAProxy matches the inventory · 1 a worker is down or missing, or HAProxy does not answer · 3 inventory invalid, or not exactly one entry point.`;
  static examples = ['<%= config.bin %> haproxy status', '<%= config.bin %> haproxy status --json'];
  static flags = { 'connect-timeout': hostFlags['connect-timeout'] };

  async run(): Promise<{ entry: string; backends: BackendRow[]; problems: string[] }> {
    const { flags } = await this.parse(HaproxyStatus);
    const loaded = await this.inventory(flags.inventory);
    const conn = await connectEntry(loaded, { connectTimeout: flags['connect-timeout'] });
    try {
      const stats = await readStats(conn.session);
      const rows = stats.filter((r) => r.proxy === HAPROXY.backend && r.server !== 'BACKEND');
      const workers = loaded.inventory.servers.filter((s) => s.roles.includes('marzban'));
      const backends: BackendRow[] = rows.map((r) => ({
        server: r.server,
        status: r.status,
        inventory: workers.find((w) => w.name === r.server)?.state ?? 'not in inventory',
        sessions: r.currentSessions,
        maxSessions: r.maxSessions,
        totalSessions: r.totalSessions,
        check: r.checkStatus,
      }));
      const problems = [
        ...workers.filter((w) => w.state !== 'retired' && !rows.some((r) => r.server === w.name)).map((w) => `${w.name} is ${w.state} in the inventory but not in HAProxy (run weclick haproxy sync)`),
        ...backends.filter((b) => b.inventory === 'retired' || b.inventory === 'not in inventory').map((b) => `${b.server} is in HAProxy but ${b.inventory} (run weclick haproxy sync)`),
        ...backends.filter((b) => b.inventory === 'active' && !b.status.startsWith('UP')).map((b) => `${b.server} is active in the inventory but ${b.status} in HAProxy`),
        ...backends.filter((b) => b.inventory === 'draining' && b.status !== 'DRAIN').map((b) => `${b.server} is draining in the inventory but ${b.status} in HAProxy`),
      ];
      const c = this.colors;
      const paint = (status: string) => (status.startsWith('UP') ? c.green(status) : status === 'DRAIN' || status === 'MAINT' ? c.yellow(status) : c.red(status));
      this.say(`HAProxy on ${conn.entry.name}, backend ${HAPROXY.backend}:`);
      this.say(renderTable(['SERVER', 'STATUS', 'INVENTORY', 'SESSIONS', 'MAX', 'TOTAL', 'CHECK'], backends.map((b) => [b.server, paint(b.status), b.inventory, String(b.sessions), String(b.maxSessions), String(b.totalSessions), b.check || '-'])));
      for (const problem of problems) this.say(c.red(`! ${problem}`));
      if (problems.length > 0) process.exitCode = EXIT.failed;
      return { entry: conn.entry.name, backends, problems };
    } finally {
      conn.session.close();
    }
  }
}
