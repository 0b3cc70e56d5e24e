// A TCP load generator for the entry point (issue 9, item 3): long-lived connections that echo a token now and
// then to prove they are alive, and short ones (connect, greeting, echo, close) at a steady rate. It speaks the
// protocol of the workers' stand-in (test/unit/haproxy/proxy-v2-backend.ts): a "hello from NAME" line, then echo.
import { connect, type Socket } from 'node:net';

export type FailureKind = 'refused' | 'reset' | 'no answer' | 'mismatch' | 'closed';

export interface LoadFailure {
  kind: FailureKind;
  connection: 'long' | 'short';
  /** ms since the load started. */
  atMs: number;
  detail: string;
}

export interface LoadOptions {
  host: string;
  port: number;
  /** Long-lived connections, opened at the start and kept until stop(). */
  long: number;
  /** Each long connection echoes a token this often. */
  echoEveryMs?: number;
  /** How long a greeting or an echo may take before it counts as "no answer". */
  answerTimeoutMs?: number;
}

export interface LoadCounts {
  longOpened: number;
  longEchoes: number;
  shortStarted: number;
  shortDone: number;
  failures: LoadFailure[];
  /** Which worker greeted each short connection, with when it started (ms since the load started). */
  shortGreetings: Array<{ atMs: number; worker: string }>;
  /** Which worker each long connection reached. */
  longWorkers: Record<string, number>;
}

/** One line-oriented conversation on a socket: the greeting line, then echoes of tokens. */
class Conversation {
  private buffer = '';
  private waiting: { resolve: (line: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout } | undefined;
  private ended: Error | undefined;
  private readonly lines: string[] = [];

  constructor(
    readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
      }
      this.deliver();
    });
    socket.on('error', (error) => this.end(error));
    socket.on('close', () => this.end(new Error('closed by the peer')));
  }

  /** The next line, or an error: refused, reset, closed, or no answer within the timeout. */
  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'NOANSWER' }));
      }, this.timeoutMs);
      this.waiting = { resolve, reject, timer };
      this.deliver();
    });
  }

  async echo(token: string): Promise<string> {
    this.socket.write(`${token}\n`);
    return this.next();
  }

  private deliver(): void {
    if (!this.waiting) return;
    const { resolve, reject, timer } = this.waiting;
    if (this.lines.length > 0) {
      this.waiting = undefined;
      clearTimeout(timer);
      resolve(this.lines.shift()!);
    } else if (this.ended) {
      this.waiting = undefined;
      clearTimeout(timer);
      reject(this.ended);
    }
  }

  private end(error: Error): void {
    this.ended ??= error;
    this.deliver();
  }
}

function kindOf(error: unknown): FailureKind {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'NOANSWER' || code === 'ETIMEDOUT') return 'no answer';
  return 'closed';
}

const greetingWorker = (line: string): string | undefined => /^hello from (\S+)$/.exec(line)?.[1];

export class LoadGenerator {
  readonly counts: LoadCounts = { longOpened: 0, longEchoes: 0, shortStarted: 0, shortDone: 0, failures: [], shortGreetings: [], longWorkers: {} };
  private readonly started = Date.now();
  private readonly longs: Array<{ talk: Conversation; worker: string; broken: boolean; busy: Promise<void> }> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private echoTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private token = 0;

  constructor(private readonly options: LoadOptions) {}

  private get timeoutMs(): number {
    return this.options.answerTimeoutMs ?? 5000;
  }

  /** ms since the load started (the clock of failures and greetings). */
  elapsed(): number {
    return Date.now() - this.started;
  }

  private fail(connection: 'long' | 'short', kind: FailureKind, detail: string): void {
    this.counts.failures.push({ kind, connection, atMs: this.elapsed(), detail });
  }

  private open(): Promise<Conversation> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port });
      const talk = new Conversation(socket, this.timeoutMs);
      socket.once('connect', () => resolve(talk));
      socket.once('error', reject);
    });
  }

  /** Opens the long-lived connections (a few at a time), then starts echoing on them. */
  async openLong(): Promise<void> {
    const batch = 20;
    for (let i = 0; i < this.options.long; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, this.options.long - i) }, async () => {
          try {
            const talk = await this.open();
            const greeting = await talk.next();
            const worker = greetingWorker(greeting);
            if (!worker) return this.fail('long', 'mismatch', `greeting ${JSON.stringify(greeting)}`);
            this.counts.longOpened++;
            this.counts.longWorkers[worker] = (this.counts.longWorkers[worker] ?? 0) + 1;
            this.longs.push({ talk, worker, broken: false, busy: Promise.resolve() });
          } catch (error) {
            this.fail('long', kindOf(error), `opening: ${(error as Error).message}`);
          }
          return undefined;
        }),
      );
    }
    // Each connection echoes once per period; the period is spread over them so the echoes come steadily.
    const every = this.options.echoEveryMs ?? 1000;
    let next = 0;
    this.echoTimer = setInterval(() => {
      if (this.longs.length === 0) return;
      const perTick = Math.max(1, Math.ceil(this.longs.length / (every / 20)));
      for (let k = 0; k < perTick; k++) this.echoLong(this.longs[next++ % this.longs.length]!);
    }, 20);
  }

  private echoLong(long: LoadGenerator['longs'][number]): void {
    if (long.broken) return;
    long.busy = long.busy.then(async () => {
      if (long.broken) return;
      const token = `long-${++this.token}-${'x'.repeat(this.token % 64)}`;
      try {
        const answer = await long.talk.echo(token);
        if (answer !== token) {
          long.broken = true;
          this.fail('long', 'mismatch', `on ${long.worker}: sent ${token.length} bytes, got ${JSON.stringify(answer.slice(0, 60))}`);
        } else this.counts.longEchoes++;
      } catch (error) {
        long.broken = true;
        this.fail('long', kindOf(error), `on ${long.worker}: ${(error as Error).message}`);
      }
    });
  }

  /** One short connection: connect, greeting, one echo, close. */
  short(): void {
    this.counts.shortStarted++;
    const atMs = this.elapsed();
    const run = (async () => {
      let talk: Conversation | undefined;
      try {
        talk = await this.open();
        const worker = greetingWorker(await talk.next());
        if (!worker) return this.fail('short', 'mismatch', 'no greeting line');
        this.counts.shortGreetings.push({ atMs, worker });
        const token = `short-${++this.token}`;
        const answer = await talk.echo(token);
        if (answer !== token) return this.fail('short', 'mismatch', `on ${worker}: got ${JSON.stringify(answer.slice(0, 60))}`);
        this.counts.shortDone++;
      } catch (error) {
        this.fail('short', kindOf(error), (error as Error).message);
      } finally {
        talk?.socket.end();
      }
      return undefined;
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /**
   * Short connections at a steady rate (`perSecond`) until `until()` says stop and at least `count` were made.
   * Resolves once the last one has ended.
   */
  async shortsUntil(count: number, perSecond: number, until: () => boolean): Promise<void> {
    const interval = 1000 / perSecond;
    const begin = Date.now();
    let made = 0;
    while (!this.stopping && (made < count || !until())) {
      const due = begin + made * interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.short();
      made++;
    }
    await Promise.all([...this.inFlight]);
  }

  /** Checks every long connection one last time, then closes them all. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.echoTimer);
    await Promise.all(this.longs.map((l) => l.busy));
    for (const long of this.longs) this.echoLong(long);
    await Promise.all(this.longs.map((l) => l.busy));
    for (const long of this.longs) long.talk.socket.destroy();
    await Promise.all([...this.inFlight]);
  }

  /** Long connections still alive (not broken). */
  get longAlive(): number {
    return this.longs.filter((l) => !l.broken).length;
  }
}
