import type { Readable, Writable } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import pLimit from 'p-limit';
import { commandLine } from './shell.js';
import type { HostTarget } from './target.js';

/**
 * OpenSSH's MaxSessions is 10 per connection, and sshd frees a session a moment after the client
 * sees it close: measured here, 10 channels reopened at once fail now and then, 8 do not. We keep
 * 6 in flight and retry a refused channel open (the command never started, so it is safe).
 */
export const MAX_CHANNELS_PER_CONNECTION = 6;
const CHANNEL_OPEN_RETRIES = 5;
/** Grace after the remote `timeout` should have fired before we give up on the channel ourselves. */
const LOCAL_TIMEOUT_GRACE_MS = 5_000;

export interface ExecOptions {
  stdin?: string | Buffer | Readable;
  /** Kill the remote command (and its whole process group) after this long. */
  timeoutMs?: number;
  /** Run as root through `sudo -n` when the SSH user is not root. */
  sudo?: boolean;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The connection died before the command reported how it ended. */
  connectionLost: boolean;
}

export interface SpawnedCommand {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  done: Promise<Omit<ExecResult, 'stdout' | 'stderr'>>;
}

/** One SSH connection to one host, reused for every command of a run. */
export class HostSession {
  private readonly channels = pLimit(MAX_CHANNELS_PER_CONNECTION);
  private closed = false;

  constructor(
    readonly target: HostTarget,
    private readonly client: Client,
    readonly connectMs: number,
  ) {
    client.on('close', () => (this.closed = true));
  }

  get isRoot(): boolean {
    return this.target.user === 'root';
  }

  /** Builds the shell line for argv: quoted, wrapped in timeout and sudo as asked. */
  commandFor(argv: readonly string[], options: Pick<ExecOptions, 'timeoutMs' | 'sudo'> = {}): string {
    let words = [...argv];
    if (options.timeoutMs) words = ['timeout', '-k', '2', `${Math.max(1, Math.ceil(options.timeoutMs / 1000))}`, ...words];
    if (options.sudo && !this.isRoot) words = ['sudo', '-n', '--', ...words];
    return commandLine(words);
  }

  /** Runs argv and collects its output. */
  async run(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(this.commandFor(argv, options), options);
  }

  /** Runs a shell line built from quoted parts (see shell.ts), through sh -c so sudo and timeout wrap all of it. */
  async shell(line: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.run(['sh', '-c', line], options);
  }

  /** Runs a prepared shell line (already quoted) and collects its output. */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.channels(async () => {
      const spawned = await this.open(command);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      spawned.stdout.on('data', (c: Buffer) => (out.push(c), options.onStdout?.(c)));
      spawned.stderr.on('data', (c: Buffer) => (err.push(c), options.onStderr?.(c)));
      feed(spawned.stdin, options.stdin);
      const timer = options.timeoutMs ? setTimeout(() => (spawned as SpawnedCommand & { abort(): void }).abort(), options.timeoutMs + LOCAL_TIMEOUT_GRACE_MS) : undefined;
      const end = await spawned.done.finally(() => clearTimeout(timer));
      // coreutils timeout exits 124 when it killed the command, 137 when -k had to SIGKILL it.
      const timedOut = end.timedOut || (options.timeoutMs !== undefined && (end.code === 124 || end.code === 137));
      return { ...end, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
    });
  }

  /** Starts a command with its stdin/stdout/stderr as Node streams (for dumps and uploads). */
  async spawn(argv: readonly string[], options: Pick<ExecOptions, 'timeoutMs' | 'sudo'> = {}): Promise<SpawnedCommand> {
    return this.open(this.commandFor(argv, options));
  }

  close(): void {
    if (!this.closed) this.client.end();
    this.closed = true;
  }

  private async open(command: string): Promise<SpawnedCommand & { abort(): void }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.openOnce(command);
      } catch (error) {
        if (attempt >= CHANNEL_OPEN_RETRIES || !/Channel open failure/i.test((error as Error).message)) throw error;
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  private openOnce(command: string): Promise<SpawnedCommand & { abort(): void }> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(`connection to ${this.target.name} is closed`));
      this.client.exec(command, (error, channel) => (error ? reject(error) : resolve(wrapChannel(channel))));
    });
  }
}

function wrapChannel(channel: ClientChannel): SpawnedCommand & { abort(): void } {
  let code: number | null = null;
  let signal: string | null = null;
  let exited = false;
  let timedOut = false;
  channel.on('exit', (c: number | null, s?: string) => {
    exited = true;
    code = c;
    signal = s ?? null;
  });
  const done = new Promise<Omit<ExecResult, 'stdout' | 'stderr'>>((resolve) => {
    channel.on('close', () => resolve({ code, signal, timedOut, connectionLost: !exited && !timedOut }));
  });
  return {
    stdin: channel,
    stdout: channel,
    stderr: channel.stderr,
    done,
    abort() {
      timedOut = true;
      channel.signal('KILL');
      channel.close();
    },
  };
}

/** Always ends stdin: a remote program waiting for input would otherwise hang forever. */
function feed(stdin: Writable, input: ExecOptions['stdin']): void {
  if (input === undefined) stdin.end();
  else if (typeof input === 'string' || Buffer.isBuffer(input)) stdin.end(input);
  else input.pipe(stdin);
}
