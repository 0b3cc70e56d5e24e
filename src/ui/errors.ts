import { EXIT } from './exit-codes.js';

/** An error meant for the operator: one line of message, optional detail lines, an exit code. */
export class WeclickError extends Error {
  readonly exitCode: number;
  readonly details: string[];
  readonly data?: unknown;

  constructor(message: string, options: { exitCode?: number; details?: string[]; data?: unknown } = {}) {
    super(message);
    this.name = 'WeclickError';
    this.exitCode = options.exitCode ?? EXIT.failed;
    this.details = options.details ?? [];
    this.data = options.data;
  }
}
