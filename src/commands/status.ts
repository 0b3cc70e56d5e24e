import { WeclickCommand } from '../base-command.js';
import { currentDate, localToday } from '../expiry/calendar-day.js';
import { selectHosts } from '../fleet/select-hosts.js';
import { fleetContext } from '../remote/fleet-context.js';
import { gatherStatus } from '../remote/gather-status.js';
import type { HostStatusRow } from '../remote/status.js';
import { EXIT } from '../ui/exit-codes.js';
import { loadEnvFile, setting } from '../secrets/env-file.js';
import type { PendingSummary } from '../users/pending.js';
import type { LoadedInventory } from '../base-command.js';
import { fleetProgress } from '../ui/fleet-progress.js';
import { hostFlags } from '../ui/host-flags.js';
import { renderTable } from '../ui/table.js';

export default class Status extends WeclickCommand {
  static summary = 'Health of every server: reachable, latency, OS, load, disk, memory, containers, role services, hosting days left.';
  static description = `Connects to every selected server in parallel (host keys verified against known_hosts) and gathers its facts in one round trip per host.

Exit codes: 0 all reachable and every role's service up · 1 a host unreachable, refused, or a service down · 3 inventory invalid.`;
  static examples = ['<%= config.bin %> status', '<%= config.bin %> status --role marzban', '<%= config.bin %> status --hosts go,srv1 --json'];
  static flags = { ...hostFlags };

  async run(): Promise<{ hosts: HostStatusRow[]; pendingUserChanges: PendingSummary[] | null; pendingError?: string; replaceInProgress?: unknown }> {
    const { flags } = await this.parse(Status);
    const loaded = await this.inventory(flags.inventory);
    const servers = selectHosts(loaded.inventory, flags);
    const context = await fleetContext(loaded, servers, { connectTimeout: flags['connect-timeout'], parallel: flags.parallel });
    const progress = await fleetProgress<HostStatusRow>(servers.map((s) => s.name), { json: this.jsonEnabled(), title: 'status' });
    const [rows, pending] = await Promise.all([gatherStatus(servers, context, localToday(currentDate()), progress.events), pendingUserChanges(loaded)]);
    await progress.finished();
    this.render(rows);
    this.renderPending(pending);
    const replacing = await this.renderReplace(loaded.file);
    const queued = 'list' in pending && pending.list.length > 0;
    if (queued || rows.some((r) => !r.reachable || r.services.some((s) => !s.up))) process.exitCode = EXIT.failed;
    return { hosts: rows, pendingUserChanges: 'list' in pending ? pending.list : null, ...('error' in pending ? { pendingError: pending.error } : {}), ...(replacing ? { replaceInProgress: replacing } : {}) };
  }

  /** A replace left half-way is part of the fleet's state: say so, with the way on. */
  private async renderReplace(file: string) {
    const { readProgress } = await import('../replace/progress.js');
    const progress = await readProgress(file).catch((error: Error) => ({ error: error.message }));
    if (!progress) return undefined;
    if ('error' in progress) {
      this.say(`\nReplace in progress: unknown (${progress.error})`);
      return progress;
    }
    const done = progress.steps.filter((s) => s.status === 'done').length;
    this.say(`\nReplace in progress: ${progress.old} → ${progress.new} (${progress.kind}), ${done} of ${progress.steps.length} steps done${progress.phase === 'aborting' ? ', being aborted' : ''}; continue with \`weclick replace --resume\` or go back with \`weclick replace --abort\``);
    return { old: progress.old, new: progress.new, kind: progress.kind, stepsDone: done, steps: progress.steps.length, phase: progress.phase };
  }

  private renderPending(pending: Awaited<ReturnType<typeof pendingUserChanges>>): void {
    if ('skipped' in pending) return;
    if ('error' in pending) this.say(`\nPending user changes: unknown (${pending.error})`);
    else if (pending.list.length === 0) this.say('\nPending user changes: none');
    else {
      this.say(`\nPending user changes (apply with \`weclick users sync\`):`);
      for (const p of pending.list) this.say(`  ${p.worker}: ${p.users} user(s) since ${p.oldest}${p.lastError ? ` — last error: ${p.lastError}` : ''}`);
    }
  }

  private render(rows: HostStatusRow[]): void {
    const c = this.colors;
    const pct = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${n}%`);
    const table = rows.map((r) =>
      r.reachable
        ? [
            r.name,
            c.green('up'),
            `${r.latencyMs}ms`,
            r.os ?? '-',
            r.uptimeSeconds ? `${Math.floor(r.uptimeSeconds / 86400)}d` : '-',
            r.load?.toFixed(2) ?? '-',
            pct(r.diskFreePercent),
            pct(r.memoryFreePercent),
            String(r.containersUp ?? 0),
            r.services.map((s) => (s.up ? s.service : c.red(`${s.service} DOWN`))).join(', ') || '-',
            `${r.daysLeft}d`,
          ]
        : [r.name, c.red('DOWN'), '-', r.error ?? '', '', '', '', '', '', '', `${r.daysLeft}d`],
    );
    this.say(renderTable(['NAME', 'SSH', 'LATENCY', 'OS', 'UPTIME', 'LOAD', 'DISK FREE', 'MEM FREE', 'CONTAINERS', 'SERVICES', 'HOSTING'], table));
  }
}

/** User changes still queued for workers (issue: users); only when the fleet's MySQL is configured. */
async function pendingUserChanges(loaded: LoadedInventory): Promise<{ list: PendingSummary[] } | { error: string } | { skipped: true }> {
  if (!setting(await loadEnvFile(loaded.file), 'MYSQL_ADMIN_USER')) return { skipped: true };
  const { pendingPropagation } = await import('../users/pending.js');
  return pendingPropagation(loaded).then(
    (list) => ({ list }),
    (error: Error) => ({ error: error.message }),
  );
}
