import { parseDuration } from '../haproxy/duration.js';
import { WeclickError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** A duration flag's value in milliseconds, or exit 2 naming the flag and what a duration looks like. */
export function durationFlag(flag: string, value: string, examples = '90s, 30m or 2h'): number {
  const ms = parseDuration(value);
  if (ms === null) throw new WeclickError(`${flag}: '${value}' is not a duration such as ${examples}`, { exitCode: EXIT.usage });
  return ms;
}
