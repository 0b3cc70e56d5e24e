import { open } from 'node:fs/promises';
import * as Flags from '@oclif/core/flags';
import { WeclickCommand } from '../../base-command.js';
import { WeclickError } from '../../ui/errors.js';
import { EXIT } from '../../ui/exit-codes.js';

export default class BackupKeygen extends WeclickCommand {
  static summary = 'Create an age key pair for backups: the identity (private) in a file, the public key to the inventory.';
  static description = `Writes the identity in age-keygen's format (mode 600; an existing file is never overwritten) and prints the
public key to add under fleet.backup.recipients. Keep the identity off the servers and off the machine that makes
scheduled backups — that machine only needs the public key — and keep a second copy offline: without it no backup
can be read. The same file works with the age CLI (age -d -i FILE).

Exit codes: 0 written · 2 bad flags · 3 the file already exists.`;
  static examples = ['<%= config.bin %> backup keygen --out ~/.config/weclick/backup.key'];
  static flags = { out: Flags.string({ char: 'o', required: true, summary: 'File to write the identity (private key) to.' }) };

  async run() {
    const { flags } = await this.parse(BackupKeygen);
    const { newKeyPair } = await import('../../backup/age.js');
    const pair = await newKeyPair(new Date());
    let handle;
    try {
      handle = await open(flags.out, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new WeclickError(code === 'EEXIST' ? `${flags.out} already exists: not overwriting an identity` : `cannot create ${flags.out} (${code})`, { exitCode: EXIT.badInput });
    }
    try {
      await handle.writeFile(pair.identityFile);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.say(`Wrote the identity (private key) to ${flags.out} (mode 600). Keep a copy offline.\n\nPublic key: ${pair.recipient}\n\nAdd it to the inventory:\n\nfleet:\n  backup:\n    recipients:\n      - ${pair.recipient}\n\nand point BACKUP_AGE_IDENTITY_FILE at ${flags.out} in the .env of the machine you restore from.`);
    return { identityFile: flags.out, recipient: pair.recipient };
  }
}
