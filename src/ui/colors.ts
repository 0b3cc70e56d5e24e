import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colours only for a terminal, and never when NO_COLOR is set (https://no-color.org);
 * FORCE_COLOR wins for people who pipe into a pager that understands colour.
 */
export function colorsFor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const forcedOff = env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false';
  const forced = env.FORCE_COLOR !== undefined && !forcedOff;
  // FORCE_COLOR=0 turns colours off, as in Node and chalk.
  const enabled = forced || (!forcedOff && !env.NO_COLOR && stream.isTTY === true && env.TERM !== 'dumb');
  return new Chalk({ level: enabled ? 1 : 0 });
}
