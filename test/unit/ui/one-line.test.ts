import { describe, expect, it } from 'vitest';
import { escapeUnsafe, oneLineMessage } from '../../../src/ui/one-line.js';

describe('escapeUnsafe', () => {
  it('shows line breaks, controls, bidi and zero-width characters as escapes', () => {
    expect(escapeUnsafe("no server named 'a\nb'")).toBe("no server named 'a\\nb'");
    expect(escapeUnsafe('\u001b[31mred\u001b[0m\r\t\u0007')).toBe('\\u001b[31mred\\u001b[0m\\r\\t\\u0007');
    expect(escapeUnsafe('srv1\u202egnp.exe srv\u200d1 \ufeffx \u2066y\u2069')).toBe('srv1\\u202egnp.exe srv\\u200d1 \\ufeffx \\u2066y\\u2069');
  });

  it('leaves ordinary text, accents, Cyrillic and emoji alone', () => {
    for (const text of ['srv1.weclick.tech: 3 problem(s)', 'café', 'ѕrv1 — gо', '😀 ok']) expect(escapeUnsafe(text)).toBe(text);
  });
});

describe('oneLineMessage', () => {
  const parse = {};
  it('folds oclif parse errors into one line', () => {
    expect(oneLineMessage({ parse, message: 'Parsing --connect-timeout \n\tExpected an integer greater than or equal to 1 but received: -5\nSee more help with --help' })).toBe(
      '--connect-timeout: Expected an integer greater than or equal to 1 but received: -5',
    );
    expect(oneLineMessage({ parse, args: [{ name: 'name', description: 'Server name' }], message: 'Missing 1 required arg:\nname  Server name\nSee more help with --help' })).toBe('Missing 1 required arg: name (Server name)');
    const note = 'Missing 1 required arg:\nname  New server\n\nNote: --label allows multiple values. Because of this you need to provide all arguments before providing that flag.\nAlternatively, you can use "--" to signify the end of the flags and the beginning of arguments.\nSee more help with --help';
    expect(oneLineMessage({ parse, args: [{ name: 'name', description: 'New server' }], message: note })).toBe('Missing 1 required arg: name (New server); --label takes several values: give the arguments before it, or put -- before the arguments');
    expect(oneLineMessage({ parse, message: 'The following errors occurred:\n  \u001b[2m--a cannot also be provided when using --b\n  --c is required\u001b[22m' })).toBe('--a cannot also be provided when using --b; --c is required');
  });

  it('escapes a line break that came with a value, even inside a parse error', () => {
    expect(oneLineMessage({ parse, message: 'Parsing --days \n\tExpected an integer but received: 1\n2\nSee more help with --help' })).toBe('--days: Expected an integer but received: 1\\n2');
    expect(oneLineMessage({ message: "no server named 'srv1\nsrv2' in the inventory" })).toBe("no server named 'srv1\\nsrv2' in the inventory");
  });
});
