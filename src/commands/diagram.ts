import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { renderFleetDiagram } from '../fleet/diagram.js';
import { writeFileAtomically } from '../fs/atomic-write.js';

export default class Diagram extends WeclickCommand {
  static summary = 'Draw the fleet as a mermaid flowchart.';
  static description = `Generated from the inventory: users → go → HAProxy → workers; management → MySQL, Telegram, podpiska; workers ↔ MySQL. Paste it into any Markdown that renders mermaid (GitHub, GitLab), or write it with --out.

Exit codes: 0 · 3 inventory invalid.`;
  static examples = ['<%= config.bin %> diagram', '<%= config.bin %> diagram --out docs/fleet.mmd'];
  static flags = { out: Flags.string({ char: 'o', summary: 'Write the diagram to this file instead of stdout.' }) };

  async run(): Promise<{ mermaid: string; file?: string }> {
    const { flags } = await this.parse(Diagram);
    const { inventory } = await this.inventory(flags.inventory);
    const mermaid = renderFleetDiagram(inventory);
    if (flags.out) {
      await writeFileAtomically(flags.out, mermaid);
      this.say(`Wrote ${flags.out}.`);
      return { mermaid, file: flags.out };
    }
    this.say(mermaid.trimEnd());
    return { mermaid };
  }
}
