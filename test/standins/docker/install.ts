// Installs the `docker` STAND-IN (./docker, a sh script) on test hosts: it is not Docker. See README.md.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { putFile } from '../../../src/remote/files.js';
import type { HostSession } from '../../../src/remote/session.js';

export const STANDIN_PATH = '/usr/local/sbin/docker';
export const STANDIN_LOG = '/var/log/docker-standin.log';
export const STANDIN_STATE = '/var/lib/docker-standin';
const script = readFileSync(fileURLToPath(new URL('./docker', import.meta.url)), 'utf8');

/**
 * Puts the stand-in into the host's private /usr/local/sbin, ahead of the machine's docker client on PATH (root's
 * and sudo's PATH both list /usr/local/sbin first). Not /usr/local/bin: that already holds the machine's real
 * client, and deleting a file that shadows a lower overlay layer leaves a whiteout, hiding the real one for good.
 */
export async function installDockerStandin(session: HostSession): Promise<void> {
  await putFile(session, { path: STANDIN_PATH, content: script, mode: 0o755 });
  const check = await session.run(['sh', '-c', 'command -v docker && docker version --format "{{.Server.Version}}"']);
  if (!check.stdout.startsWith(`${STANDIN_PATH}\n`)) throw new Error(`the docker stand-in is not first on PATH on ${session.target.name}: ${check.stdout}`);
}

/** Removes the stand-in, its state and its log (the machine's docker client shows through again). */
export async function removeDockerStandin(session: HostSession): Promise<void> {
  await session.run(['rm', '-rf', STANDIN_PATH, STANDIN_STATE, STANDIN_LOG]);
}

/** Every call the stand-in recorded on a host, as argv arrays (without the leading "docker"). */
export function parseStandinLog(text: string | undefined): string[][] {
  return (text ?? '')
    .split('\n')
    .filter((l) => l.startsWith('docker'))
    .map((l) => l.split('\t').slice(1));
}
