import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { andThen, commandLine, pipeline, quoteArg, sudoWrap } from '../../../src/remote/shell.js';

// Run a command line with the local /bin/sh and return its stdout.
function sh(script: string): Buffer {
  return execFileSync('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

// Each argument comes back from printf NUL-terminated, so the split is exact.
function echoBack(args: readonly string[]): string[] {
  const out = sh(commandLine(['printf', '%s\\0', ...args])).toString('utf8');
  return out.split('\0').slice(0, -1);
}

const nasty = fc.constantFrom(
  "'", '"', '$', '$(', ')', '`', '\\', '\n', '\r', '\t', ' ', '*', '?', '[', ']', '~', '!', '#',
  ';', '&', '|', '<', '>', '{', '}', '=', '%', '-', 'a', 'Z', '9', 'é', '日', '😀', '\u00a0',
);
const argString = fc
  .oneof(fc.string({ unit: nasty, maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }))
  .filter((s) => !s.includes('\0'));

describe('quoteArg', () => {
  it('leaves safe words bare', () => {
    for (const word of ['ls', '/etc/hosts', 'a=b', 'user@host:22', '--flag=1,2', '50%', 'x+y.z_w']) {
      expect(quoteArg(word)).toBe(word);
    }
  });

  it('single-quotes everything else', () => {
    expect(quoteArg('')).toBe("''");
    expect(quoteArg('a b')).toBe("'a b'");
    expect(quoteArg('$(id)')).toBe("'$(id)'");
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
    expect(quoteArg('~')).toBe("'~'");
  });

  it('rejects NUL bytes', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
  });

  it('round-trips any argument through a real sh byte for byte', () => {
    fc.assert(
      fc.property(fc.array(argString, { minLength: 1, maxLength: 8 }), (args) => {
        expect(echoBack(args)).toEqual(args);
      }),
      { numRuns: 150 },
    );
  });
});

describe('commandLine', () => {
  it('joins quoted words', () => {
    expect(commandLine(['echo', 'hello world', "it's"])).toBe(`echo 'hello world' 'it'\\''s'`);
  });

  it('throws on empty argv or a NUL byte', () => {
    expect(() => commandLine([])).toThrow(/empty/);
    expect(() => commandLine(['echo', 'a\0'])).toThrow(/NUL/);
  });

  it('quotes a program word that sh would read as an assignment or a keyword', () => {
    expect(commandLine(['A=1', 'x'])).toBe("'A=1' x");
    expect(commandLine(['if'])).toBe("'if'");
    // Only the program word is special: later words stay bare.
    expect(commandLine(['env', 'A=1', 'if'])).toBe('env A=1 if');
  });

  it('runs the program named by argv[0] even when it looks like an assignment', () => {
    // With a bare A=1, sh would set a variable and print nothing at all.
    expect(() => sh(commandLine(['A=1']))).toThrow(/not found/);
  });
});

describe('pipeline and andThen', () => {
  it('builds a pipeline that a real sh runs', () => {
    const line = pipeline(['printf', '%s\\n', 'b b', 'a;a'], ['sort']);
    expect(line).toBe("printf '%s\\n' 'b b' 'a;a' | sort");
    expect(sh(line).toString()).toBe('a;a\nb b\n');
  });

  it('stops an && chain at the first failure', () => {
    const line = andThen(['true'], ['printf', 'one'], ['false'], ['printf', 'two']);
    expect(line).toBe('true && printf one && false && printf two');
    expect(() => sh(line)).toThrow();
    expect(sh(andThen(['printf', 'one'], ['printf', '$two'])).toString()).toBe('one$two');
  });

  it('rejects empty lists', () => {
    expect(() => pipeline()).toThrow();
    expect(() => andThen()).toThrow();
    expect(() => pipeline(['ls'], [])).toThrow(/empty/);
  });
});

describe('sudoWrap', () => {
  it('leaves root commands alone and prefixes sudo -n -- otherwise', () => {
    expect(sudoWrap(['systemctl', 'restart', 'haproxy'], 'root')).toEqual(['systemctl', 'restart', 'haproxy']);
    expect(sudoWrap(['systemctl', 'restart', 'haproxy'], 'deploy')).toEqual([
      'sudo', '-n', '--', 'systemctl', 'restart', 'haproxy',
    ]);
  });

  it('returns a copy and rejects an empty command', () => {
    const argv = ['id'];
    expect(sudoWrap(argv, 'root')).not.toBe(argv);
    expect(() => sudoWrap([], 'deploy')).toThrow(/empty/);
  });
});
