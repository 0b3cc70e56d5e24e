import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../../base-command.js';
import { outlineCall, outlineClientFor } from '../../../outline/target.js';
import { renderTable } from '../../../ui/table.js';
import { formatSize } from '../../../users/units.js';

export default class OutlineKeysList extends WeclickCommand {
  static summary = "List an Outline server's access keys with their limits and use (rolling 30 days).";
  static description = `Talks to the Outline management API with its certificate pinned by certSha256 (from the secrets file, as
\`weclick provision\` read it from access.txt). Access URLs are credentials: shown only with --urls.

Exit codes: 0 listed · 1 the server did not answer, or its certificate does not match the pin · 3 no Outline server or no apiUrl/certSha256 in the secrets file.`;
  static examples = ['<%= config.bin %> outline keys list', '<%= config.bin %> outline keys list --server srv2 --urls --json'];
  static flags = {
    server: Flags.string({ summary: 'Outline server (default: the only one).' }),
    urls: Flags.boolean({ default: false, summary: 'Also show each access URL (ss://…).' }),
  };

  async run() {
    const { flags } = await this.parse(OutlineKeysList);
    const loaded = await this.inventory(flags.inventory);
    const { server, client } = await outlineClientFor(loaded, flags.server);
    const [keys, transfer] = await outlineCall(server, () => Promise.all([client.listKeys(), client.transfer().catch(() => ({}) as Record<string, number>)]));
    const rows = keys.map((k) => ({ id: k.id, name: k.name ?? '', port: k.port, method: k.method, limitBytes: k.dataLimit?.bytes ?? null, usedBytes: transfer[k.id] ?? 0, ...(flags.urls ? { accessUrl: k.accessUrl } : {}) }));
    this.say(
      renderTable(
        ['ID', 'NAME', 'PORT', 'METHOD', 'LIMIT', 'USED (30 DAYS)', ...(flags.urls ? ['ACCESS URL'] : [])],
        rows.map((r) => [r.id, r.name, String(r.port ?? '-'), r.method ?? '-', formatSize(r.limitBytes), formatSize(r.usedBytes), ...(flags.urls ? [r.accessUrl ?? ''] : [])]),
      ),
    );
    this.say(`${rows.length} key(s) on ${server}.`);
    return { server, keys: rows };
  }
}
