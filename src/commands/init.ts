import { access } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../base-command.js';
import { writeFileAtomically } from '../fs/atomic-write.js';
import { formatProblem } from '../inventory/problems.js';
import { parseInventory } from '../inventory/load.js';
import { renderStarterInventory, STARTER_ENV, type StarterAnswers } from '../inventory/starter.js';
import { WeclickError } from '../ui/errors.js';
import { EXIT } from '../ui/exit-codes.js';

export default class Init extends WeclickCommand {
  static summary = 'Create weclick.yaml and .env for a new fleet.';
  static description = `Asks a few questions (or takes them from flags with --yes) and writes the inventory and a .env with the secret names, mode 0600. Refuses to overwrite existing files without --force.

Exit codes: 0 written · 2 bad flags · 3 an answer is invalid · 4 a file exists (use --force), or no terminal to ask on.`;
  static examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --yes --domain weclick.tech --telegram-chat -1001234567890',
    '<%= config.bin %> init --yes --domain example.net -i fleets/example.yaml --force',
  ];
  static flags = {
    domain: Flags.string({ summary: 'The fleet domain, e.g. weclick.tech.' }),
    zone: Flags.string({ summary: 'Cloudflare zone (default: the domain).' }),
    'telegram-chat': Flags.string({ summary: 'Telegram chat id for backups and alerts.' }),
    'ssh-user': Flags.string({ default: 'root', summary: 'SSH user on the servers.' }),
    'ssh-key': Flags.string({ summary: 'SSH private key file (default: use ssh-agent).' }),
    yes: Flags.boolean({ char: 'y', default: false, summary: 'Do not ask; take the answers from flags.' }),
    force: Flags.boolean({ default: false, summary: 'Overwrite existing files.' }),
  };

  async run() {
    const { flags } = await this.parse(Init);
    const file = flags.inventory;
    const envFile = join(dirname(file), '.env');
    if (!flags.force) {
      for (const existing of [file, envFile]) {
        if (await exists(existing)) throw new WeclickError(`${existing} already exists; nothing was written (use --force to overwrite)`, { exitCode: EXIT.refused });
      }
    }
    const answers = flags.yes ? fromFlags(flags) : await ask(flags);
    const schema = relative(dirname(file), fileURLToPath(new URL('../../inventory.schema.json', import.meta.url))) || 'inventory.schema.json';
    const text = renderStarterInventory(answers, schema);
    const check = parseInventory(text, file);
    if (!check.ok) throw new WeclickError('the answers do not make a valid inventory; nothing was written', { exitCode: EXIT.badInput, details: check.problems.map(formatProblem) });
    await writeFileAtomically(file, text);
    await writeFileAtomically(envFile, STARTER_ENV, 0o600);
    this.say(`Wrote ${file} and ${envFile} (mode 600). Next: weclick servers add NAME …, then weclick doctor.`);
    return { inventory: file, env: envFile };
  }
}

function fromFlags(flags: { domain?: string; zone?: string; 'telegram-chat'?: string; 'ssh-user': string; 'ssh-key'?: string }): StarterAnswers {
  if (!flags.domain) throw new WeclickError('--domain is required with --yes', { exitCode: EXIT.usage });
  return { domain: flags.domain, zone: flags.zone ?? flags.domain, telegramChat: flags['telegram-chat'], sshUser: flags['ssh-user'], sshKey: flags['ssh-key'] };
}

async function ask(flags: Parameters<typeof fromFlags>[0]): Promise<StarterAnswers> {
  if (!process.stdin.isTTY) throw new WeclickError('no terminal to ask on; pass the answers as flags with --yes', { exitCode: EXIT.refused });
  const { default: inquirer } = await import('inquirer');
  const a = await inquirer.prompt<{ domain: string; zone: string; chat: string; user: string; key: string }>([
    { type: 'input', name: 'domain', message: 'Fleet domain', default: flags.domain ?? 'weclick.tech' },
    { type: 'input', name: 'zone', message: 'Cloudflare zone', default: (prev: { domain: string }) => flags.zone ?? prev.domain },
    { type: 'input', name: 'chat', message: 'Telegram chat id for backups (empty to skip)', default: flags['telegram-chat'] ?? '' },
    { type: 'input', name: 'user', message: 'SSH user', default: flags['ssh-user'] },
    { type: 'input', name: 'key', message: 'SSH key file (empty: ssh-agent)', default: flags['ssh-key'] ?? '' },
  ]);
  return { domain: a.domain.trim(), zone: a.zone.trim(), telegramChat: a.chat.trim() || undefined, sshUser: a.user.trim(), sshKey: a.key.trim() || undefined };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
