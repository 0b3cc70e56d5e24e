import { describe, expect, it } from 'vitest';
import { colorsFor } from '../../../src/ui/colors.js';

const tty = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[\d+m/;

const colored = (stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv) => ANSI.test(colorsFor(stream, env).red('x'));

describe('colorsFor', () => {
  it('colours a terminal', () => {
    expect(colored(tty, {})).toBe(true);
    expect(colorsFor(tty, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(colored(tty, { TERM: 'xterm-256color' })).toBe(true);
  });

  it('never colours a pipe or a file', () => {
    expect(colored(pipe, {})).toBe(false);
    expect(colored({} as NodeJS.WriteStream, {})).toBe(false);
    expect(colorsFor(pipe, {}).red('x')).toBe('x');
  });

  it('honours NO_COLOR (any non-empty value) on a terminal', () => {
    expect(colored(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colored(tty, { NO_COLOR: 'true' })).toBe(false);
    expect(colored(tty, { NO_COLOR: '0' })).toBe(false); // no-color.org: set to anything but empty
    expect(colored(tty, { NO_COLOR: '' })).toBe(true);
  });

  it('no colour on a dumb terminal', () => {
    expect(colored(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('FORCE_COLOR colours a pipe', () => {
    expect(colored(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colored(pipe, { FORCE_COLOR: '3' })).toBe(true);
    expect(colored(pipe, { FORCE_COLOR: 'true' })).toBe(true);
    expect(colored(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(colored(pipe, { FORCE_COLOR: '1', TERM: 'dumb' })).toBe(true);
  });

  it('FORCE_COLOR wins over NO_COLOR (as documented in colors.ts)', () => {
    expect(colored(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
  });

  it('FORCE_COLOR=0 or false turns colours off, even on a terminal', () => {
    expect(colored(pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(colored(pipe, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colored(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colored(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('uses basic colours only, whatever the terminal could do', () => {
    expect(colorsFor(tty, { FORCE_COLOR: '3' }).level).toBe(1);
    expect(colorsFor(pipe, {}).level).toBe(0);
  });

  it('defaults to the process stdout and environment', () => {
    expect(typeof colorsFor().red('x')).toBe('string');
  });
});
