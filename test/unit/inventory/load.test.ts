import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadInventory, parseInventory, type LoadResult } from '../../../src/inventory/load.js';
import type { Problem } from '../../../src/inventory/problems.js';

const EXAMPLE_FILE = new URL('../../../inventory.example.yaml', import.meta.url);
const EXAMPLE = readFileSync(EXAMPLE_FILE, 'utf8');
const FILE = 'fleet.yaml';
const MARK = '⟪';

const dir = mkdtempSync(join(tmpdir(), 'weclick-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Replaces `from` (which must occur exactly once) with `to`. */
function edit(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0 || text.indexOf(from, first + 1) >= 0) throw new Error(`'${from}' must occur exactly once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/**
 * Takes a text with ⟪ markers where problems are expected, and returns the text without them and the
 * 1-based line and column of every marker, in order.
 */
function marked(withMarks: string): { text: string; at: Array<{ line: number; column: number }> } {
  const at: Array<{ line: number; column: number }> = [];
  let text = withMarks;
  for (let index = text.indexOf(MARK); index >= 0; index = text.indexOf(MARK)) {
    const before = text.slice(0, index);
    at.push({ line: before.split('\n').length, column: index - before.lastIndexOf('\n') });
    text = before + text.slice(index + MARK.length);
  }
  return { text, at };
}

function problemsOf(result: LoadResult): Problem[] {
  if (result.ok) throw new Error('expected the inventory to be rejected');
  return result.problems;
}

/** Parses the marked text and expects exactly one problem, at the marker. */
function onlyProblem(withMarks: string): Problem {
  const { text, at } = marked(withMarks);
  const problems = problemsOf(parseInventory(text, FILE));
  expect(problems, JSON.stringify(problems, null, 2)).toHaveLength(1);
  const problem = problems[0]!;
  expect(problem.file).toBe(FILE);
  expect({ line: problem.line, column: problem.column }).toEqual(at[0]);
  return problem;
}

/** The index in servers: of the server called `name` in the example. */
function exampleIndex(name: string): number {
  return (parse(EXAMPLE) as { servers: Array<{ name: string }> }).servers.findIndex((s) => s.name === name);
}

describe('the example inventory', () => {
  it('loads with the seed fleet: 7 servers and their roles', async () => {
    const result = await loadInventory(fileURLToPath(EXAMPLE_FILE));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const roles = Object.fromEntries(result.inventory.servers.map((s) => [s.name, s.roles]));
    expect(result.inventory.servers).toHaveLength(7);
    expect(roles).toEqual({
      mngmt: ['management', 'subscription', 'mysql'],
      go: ['proxy'],
      srv1: ['marzban'],
      srv2: ['outline'],
      srv3: ['marzban'],
      srv4: ['marzban'],
      srv5: ['marzban'],
    });
    expect(result.inventory.fleet.domain).toBe('weclick.tech');
    // Defaults are filled in.
    expect(result.inventory.servers.every((s) => s.state === 'active')).toBe(true);
    expect(result.text).toBe(EXAMPLE);
  });

  it('keeps dates as the YYYY-MM-DD strings written in the file', () => {
    const result = parseInventory(EXAMPLE, FILE);
    if (!result.ok) throw new Error('example must load');
    const written = (parse(EXAMPLE) as { servers: Array<{ expires: unknown }> }).servers.map((s) => s.expires);
    expect(result.inventory.servers.map((s) => s.expires)).toEqual(written);
    for (const date of written) expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('files that cannot be read as an inventory', () => {
  it('a missing file is one problem naming the file and how to create one', async () => {
    const file = join(dir, 'nope.yaml');
    const problems = problemsOf(await loadInventory(file));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, message: expect.stringMatching(/not found/) });
    expect(problems[0]!.message).toContain('weclick init');
    expect(problems[0]!.line).toBeUndefined();
  });

  it('a directory is reported as such', async () => {
    const problems = problemsOf(await loadInventory(dir));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/directory/);
  });

  it('an empty file, or one with only comments, says the inventory is empty', () => {
    for (const text of ['', '\n\n', '# nothing here yet\n', '---\n']) {
      const problems = problemsOf(parseInventory(text, FILE));
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toMatch(/empty/);
      expect(problems[0]!.message).toContain('fleet:');
    }
  });

  it('a file that is a YAML list is rejected at its first line', () => {
    const problem = onlyProblem(`${MARK}- name: srv1\n- name: srv2\n`);
    expect(problem.message).toBe('must be an object, not a list');
  });

  it('a plain scalar document is rejected', () => {
    const problem = onlyProblem(`${MARK}just some words\n`);
    expect(problem.message).toMatch(/must be an object, not 'just some words'/);
  });

  it('invalid UTF-8 bytes are rejected', async () => {
    const file = join(dir, 'latin1.yaml');
    const bytes = Buffer.from(EXAMPLE, 'utf8');
    const at = bytes.indexOf('IP Hoster');
    writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(at)]));
    const problems = problemsOf(await loadInventory(file));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, message: expect.stringMatching(/not valid UTF-8/) });
  });

  it('a 6 MB file is rejected before it is parsed', async () => {
    const file = join(dir, 'huge.yaml');
    const size = 6 * 1024 * 1024;
    writeFileSync(file, EXAMPLE + `# ${'x'.repeat(1022)}\n`.repeat(Math.ceil(size / 1024)));
    const started = Date.now();
    const problems = problemsOf(await loadInventory(file));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/bytes; an inventory may be at most \d+/);
  });

  it('a file just under the limit still loads', async () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, EXAMPLE + `# ${'x'.repeat(1022)}\n`.repeat(1024));
    const result = await loadInventory(file);
    expect(result.ok).toBe(true);
  });
});

describe('encodings and line endings', () => {
  const expected = parseInventory(EXAMPLE, FILE);

  it('a file starting with a UTF-8 BOM loads like the example', async () => {
    const file = join(dir, 'bom.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(EXAMPLE, 'utf8')]));
    const result = await loadInventory(file);
    if (!result.ok || !expected.ok) throw new Error(JSON.stringify(result));
    expect(result.inventory).toEqual(expected.inventory);
    expect(result.text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('a CRLF file loads like the example', async () => {
    const file = join(dir, 'crlf.yaml');
    writeFileSync(file, EXAMPLE.replace(/\n/g, '\r\n'));
    const result = await loadInventory(file);
    if (!result.ok || !expected.ok) throw new Error(JSON.stringify(result));
    expect(result.inventory).toEqual(expected.inventory);
  });

  it('problems in a BOM + CRLF file still point at the right line and column', async () => {
    const { text, at } = marked(edit(EXAMPLE, '- name: srv3', `- name: ${MARK}Srv3`));
    const file = join(dir, 'bom-crlf-bad.yaml');
    writeFileSync(file, `\ufeff${text.replace(/\n/g, '\r\n')}`);
    const problems = problemsOf(await loadInventory(file));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ ...at[0], field: `servers[${exampleIndex('srv3')}].name` });
  });
});

describe('malformed YAML', () => {
  it('reports the parser error where it is', () => {
    const problem = onlyProblem('fleet:\n  domain: weclick.tech\n  names: ⟪: x\nservers: []\n');
    expect(problem.message).toMatch(/mapping/i);
    expect(problem.message).not.toContain('\n');
  });

  it('reports a tab used as indentation', () => {
    const { text, at } = marked(edit(EXAMPLE, '  - name: srv3', `${MARK}\t- name: srv3`));
    const problems = problemsOf(parseInventory(text, FILE));
    expect(problems.find((p) => /tab/i.test(p.message))).toMatchObject(at[0]!);
  });

  it('reports an unclosed quote', () => {
    const problems = problemsOf(parseInventory('fleet:\n  domain: "weclick.tech\nservers: []\n', FILE));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.message).toMatch(/quote/i);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects duplicate keys at the second one', () => {
    const problem = onlyProblem(edit(EXAMPLE, '    provider: IP Hoster\n    expires: 2025-02-06', `    provider: IP Hoster\n    ${MARK}provider: pq.hosting\n    expires: 2025-02-06`));
    expect(problem.message).toMatch(/unique/);
  });

  it('rejects duplicate top-level keys', () => {
    const problem = onlyProblem(`${EXAMPLE}${MARK}fleet:\n  domain: example.net\n`);
    expect(problem.message).toMatch(/unique/);
  });

  it('rejects an alias bomb ("billion laughs") quickly', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    const names = 'abcdefghij';
    for (let i = 1; i < names.length; i++) {
      const prev = names[i - 1]!;
      levels.push(`${names[i]}: &${names[i]} [${Array.from({ length: 9 }, () => `*${prev}`).join(', ')}]`);
    }
    const bomb = `fleet:\n  domain: weclick.tech\nservers: []\n${levels.join('\n')}\n`;
    const started = Date.now();
    const problems = problemsOf(parseInventory(bomb, FILE));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/alias/i);
  });

  it('accepts a few harmless aliases', () => {
    const text = edit(EXAMPLE, 'price: { monthly: 5.00, currency: EUR }\n\n  - name: srv1', 'price: &cheap { monthly: 5.00, currency: EUR }\n\n  - name: srv1');
    const withAlias = text.replace(/price: \{ monthly: 5\.00, currency: EUR \}/g, 'price: *cheap');
    const result = parseInventory(withAlias, FILE);
    expect(result.ok).toBe(true);
  });
});

describe('schema problems point at the value, with the field', () => {
  it('wrong types', () => {
    const port = onlyProblem(edit(EXAMPLE, 'port: 22', `port: ${MARK}"22"`));
    expect(port).toMatchObject({ field: 'fleet.ssh.port', message: "must be a number, not '22'" });

    const roles = onlyProblem(edit(EXAMPLE, 'roles: [outline]', `roles: ${MARK}outline`));
    expect(roles).toMatchObject({ field: `servers[${exampleIndex('srv2')}].roles`, message: "must be an array, not 'outline'" });

    const price = onlyProblem(edit(EXAMPLE, 'price: { monthly: 8.00, currency: EUR }', `price: { monthly: ${MARK}cheap, currency: EUR }`));
    expect(price).toMatchObject({ field: `servers[${exampleIndex('srv2')}].price.monthly`, message: "must be a number, not 'cheap'" });

    const fleet = onlyProblem(edit(EXAMPLE, 'servers:\n', `servers: ${MARK}7\n`).replace(/\n {2}- name:[\s\S]*$/, '\n'));
    expect(fleet).toMatchObject({ field: 'servers', message: 'must be an array, not 7' });
  });

  it('a missing required field is reported at the map that lacks it', () => {
    const problem = onlyProblem(edit(EXAMPLE, '  - name: srv2\n    hostname: srv2.weclick.tech\n', `  - ${MARK}name: srv2\n`));
    expect(problem).toMatchObject({ field: `servers[${exampleIndex('srv2')}].hostname`, message: 'is required' });
  });

  it('an unknown key, with "did you mean"', () => {
    const problem = onlyProblem(edit(EXAMPLE, '    roles: [outline]\n', `    roles: [outline]\n    ${MARK}hostnme: srv2.weclick.tech\n`));
    expect(problem.field).toBe(`servers[${exampleIndex('srv2')}]`);
    expect(problem.message).toMatch(/^unknown key 'hostnme' \(did you mean 'hostname'\?\); allowed: name, hostname, /);
  });

  it('a misspelt key is reported both as unknown and as the missing field, sorted by line', () => {
    const { text, at } = marked(edit(EXAMPLE, '  - name: srv2\n    hostname: srv2.weclick.tech\n    ipv4: 198.51.100.22\n    roles: [outline]\n    provider: IP Hoster', `  - ${MARK}name: srv2\n    hostname: srv2.weclick.tech\n    ipv4: 198.51.100.22\n    roles: [outline]\n    ${MARK}provder: IP Hoster`));
    const problems = problemsOf(parseInventory(text, FILE));
    expect(problems.map((p) => ({ line: p.line, column: p.column }))).toEqual(at);
    expect(problems[0]!.message).toBe('is required');
    expect(problems[1]!.message).toMatch(/unknown key 'provder' \(did you mean 'provider'\?\)/);
  });

  it('an unknown key inside a nested optional map lists what is allowed there', () => {
    const problems = problemsOf(parseInventory(edit(EXAMPLE, 'ttl: 1 ', 'ttll: 1 '), FILE));
    const unknown = problems.find((p) => p.message.startsWith('unknown key'));
    expect(unknown).toMatchObject({ field: 'fleet.cloudflare', ...marked(edit(EXAMPLE, 'ttl: 1 ', `${MARK}ttll: 1 `)).at[0] });
    expect(unknown!.message).toBe("unknown key 'ttll' (did you mean 'ttl'?); allowed: zone, ttl, proxySubscription");

    const price = onlyProblem(edit(EXAMPLE, 'price: { monthly: 8.00, currency: EUR }', `price: { monthly: 8.00, currency: EUR, ${MARK}curency: EUR }`));
    expect(price.message).toBe("unknown key 'curency' (did you mean 'currency'?); allowed: monthly, currency");
  });

  it('two unknown keys in one map are two problems, each at its own line', () => {
    const { text, at } = marked(edit(EXAMPLE, '    roles: [outline]\n', `    ${MARK}colour: blue\n    roles: [outline]\n    ${MARK}size: big\n`));
    const problems = problemsOf(parseInventory(text, FILE));
    expect(problems.map((p) => ({ line: p.line, column: p.column }))).toEqual(at);
    expect(problems[0]!.message).toMatch(/^unknown key 'colour'/);
    expect(problems[1]!.message).toMatch(/^unknown key 'size'/);
  });

  it('no suggestion for a key that is nothing like an allowed one', () => {
    const problem = onlyProblem(edit(EXAMPLE, '    roles: [outline]\n', `    roles: [outline]\n    ${MARK}zzzzzz: 1\n`));
    expect(problem.message).not.toContain('did you mean');
  });

  it('an unknown role, with a suggestion', () => {
    const problem = onlyProblem(edit(EXAMPLE, 'roles: [outline]', `roles: [${MARK}outlin]`));
    expect(problem.field).toBe(`servers[${exampleIndex('srv2')}].roles[0]`);
    expect(problem.message).toBe("'outlin' is not allowed; expected one of management, subscription, mysql, proxy, marzban, outline (did you mean 'outline'?)");
  });

  it('an unknown role in a block list, second item', () => {
    const problem = onlyProblem(edit(EXAMPLE, 'roles: [management, subscription, mysql]', `roles:\n      - management\n      - ${MARK}managment`));
    expect(problem.field).toBe(`servers[${exampleIndex('mngmt')}].roles[1]`);
    expect(problem.message).toContain("(did you mean 'management'?)");
  });

  it('an impossible date, 2025-02-30', () => {
    const problem = onlyProblem(edit(EXAMPLE, 'expires: 2025-02-28', `expires: ${MARK}2025-02-30`));
    expect(problem).toMatchObject({ field: `servers[${exampleIndex('srv3')}].expires`, message: "'2025-02-30' is not a real calendar date" });
  });

  it('other impossible or malformed dates', () => {
    for (const bad of ['2025-13-01', '2025-00-10', '2023-02-29', '2025-04-31']) {
      expect(onlyProblem(edit(EXAMPLE, 'expires: 2025-02-28', `expires: ${MARK}${bad}`)).message).toBe(`'${bad}' is not a real calendar date`);
    }
    for (const bad of ['2025-2-28', '28.02.2025', '2025-02-28T00:00:00Z']) {
      expect(onlyProblem(edit(EXAMPLE, 'expires: 2025-02-28', `expires: ${MARK}"${bad}"`)).message).toBe(`'${bad}' must be a date written YYYY-MM-DD`);
    }
    // A leap day that exists.
    expect(parseInventory(edit(EXAMPLE, 'expires: 2025-02-28', 'expires: 2024-02-29'), FILE).ok).toBe(true);
  });

  it('an unquoted non-date like 20250201 (a YAML number)', () => {
    const problem = onlyProblem(edit(EXAMPLE, 'expires: 2025-02-28', `expires: ${MARK}20250201`));
    expect(problem).toMatchObject({ field: `servers[${exampleIndex('srv3')}].expires`, message: 'must be a date written YYYY-MM-DD, not 20250201' });
  });

  it('server names with shell metacharacters, capitals or look-alike letters are rejected', () => {
    const names = [
      'srv1;rm -rf /',
      'srv1 && reboot',
      '$(reboot)',
      'srv`id`',
      'srv1|nc',
      'srv>1',
      "srv'1",
      'srv 1',
      '../srv1',
      '-srv1',
      '1srv',
      'Srv3',
      'SRV3',
      'srv_3',
      'srv3.',
      '',
      'ѕrv3', // Cyrillic dze
      'srv３', // full-width digit
      'srv3\u200b', // zero-width space
      'sr\u0301v3', // combining accent
      'a'.repeat(64),
    ];
    const index = exampleIndex('srv3');
    for (const name of names) {
      const problem = onlyProblem(edit(EXAMPLE, '- name: srv3', `- name: ${MARK}${JSON.stringify(name)}`));
      expect(problem.field, name).toBe(`servers[${index}].name`);
      expect(problem.message, name).toMatch(/must match|must not be empty/);
    }
  });

  it('an unquoted `srv1;rm -rf /` is a plain string and is rejected too', () => {
    const problem = onlyProblem(edit(EXAMPLE, '- name: srv3', `- name: ${MARK}srv1;rm -rf /`));
    expect(problem.message).toMatch(/^'srv1;rm -rf \/' must match/);
  });

  it('names at the limits are accepted', () => {
    for (const name of ['a', `a${'b'.repeat(62)}`, 'srv-3', 'x9']) {
      expect(parseInventory(edit(EXAMPLE, '- name: srv3', `- name: ${name}`), FILE).ok, name).toBe(true);
    }
  });

  it('shell-dangerous characters in free text are rejected', () => {
    const problem = onlyProblem(edit(EXAMPLE, '    provider: IP Hoster\n    expires: 2025-03-23', `    provider: ${MARK}"IP $(id) Hoster"\n    expires: 2025-03-23`));
    expect(problem.message).toMatch(/must not contain control characters/);
  });
});

describe('semantic problems point at the second occurrence', () => {
  const cases = [
    { field: 'name', from: '- name: srv3', to: 'srv1', first: 'srv1' },
    { field: 'hostname', from: 'hostname: srv3.weclick.tech', to: 'srv1.weclick.tech', first: 'srv1' },
    { field: 'ipv4', from: 'ipv4: 198.51.100.23', to: '198.51.100.21', first: 'srv1' },
  ];
  for (const c of cases) {
    it(`duplicate ${c.field}`, () => {
      const problem = onlyProblem(edit(EXAMPLE, c.from, c.from.replace(/: .*/, `: ${MARK}${c.to}`)));
      expect(problem.field).toBe(`servers[${exampleIndex('srv3')}].${c.field}`);
      expect(problem.message).toBe(`duplicate ${c.field} '${c.to}', already used by servers[${exampleIndex(c.first)}]`);
    });
  }

  it('duplicate ipv6, compared case-insensitively', () => {
    const text = edit(edit(EXAMPLE, '    ipv4: 198.51.100.21\n', '    ipv4: 198.51.100.21\n    ipv6: 2001:db8::a\n'), '    ipv4: 198.51.100.23\n', `    ipv4: 198.51.100.23\n    ipv6: ${MARK}2001:DB8::A\n`);
    const problem = onlyProblem(text);
    expect(problem.field).toBe(`servers[${exampleIndex('srv3')}].ipv6`);
    expect(problem.message).toContain(`already used by servers[${exampleIndex('srv1')}]`);
  });

  it('a third duplicate is reported too, against the first', () => {
    const { text, at } = marked(edit(edit(EXAMPLE, '- name: srv3', `- name: ${MARK}srv1`), '- name: srv5', `- name: ${MARK}srv1`));
    const problems = problemsOf(parseInventory(text, FILE));
    expect(problems.map((p) => ({ line: p.line, column: p.column }))).toEqual(at);
    for (const p of problems) expect(p.message).toContain(`already used by servers[${exampleIndex('srv1')}]`);
  });

  it('a hostname outside the fleet domain', () => {
    const problem = onlyProblem(edit(EXAMPLE, 'hostname: srv3.weclick.tech', `hostname: ${MARK}srv3.example.com`));
    expect(problem).toMatchObject({ field: `servers[${exampleIndex('srv3')}].hostname`, message: "'srv3.example.com' is outside the fleet domain weclick.tech" });
  });

  it('a hostname that merely ends with the domain text is outside it', () => {
    const problem = onlyProblem(edit(EXAMPLE, 'hostname: srv3.weclick.tech', `hostname: ${MARK}srv3.notweclick.tech`));
    expect(problem.message).toMatch(/outside the fleet domain/);
  });

  it('a Cloudflare zone that does not contain the domain', () => {
    const problem = onlyProblem(edit(EXAMPLE, 'zone: weclick.tech', `zone: ${MARK}example.net`));
    expect(problem).toMatchObject({ field: 'fleet.cloudflare.zone', message: "zone 'example.net' does not contain the fleet domain weclick.tech" });
  });
});

describe('a file with many problems', () => {
  it('reports every problem at once, sorted by line', () => {
    let text = EXAMPLE;
    // Introduced bottom-up on purpose, so the order of the report is not the order of discovery.
    text = edit(text, 'ipv4: 198.51.100.25', `ipv4: ${MARK}198.51.100.21`);
    text = edit(text, '- name: srv3', `- name: ${MARK}SRV3`);
    text = edit(text, 'roles: [outline]', `roles: ${MARK}[]`);
    text = edit(text, 'expires: 2025-03-09', `expires: ${MARK}2025-13-01`);
    text = edit(text, '    provider: pq.hosting\n    expires: 2025-02-12\n    price: { monthly: 5.00, currency: EUR }\n\n  - name: srv1', `    provider: pq.hosting\n    expires: 2025-02-12\n    price: { monthly: 5.00, currency: EUR }\n    ${MARK}color: red\n\n  - name: srv1`);
    text = edit(text, 'port: 22', `port: ${MARK}99999`);
    text = edit(text, 'domain: weclick.tech', 'domain: weclick.tech');
    const { text: clean, at } = marked(text);
    const problems = problemsOf(parseInventory(clean, FILE));
    expect(problems.map((p) => ({ line: p.line, column: p.column }))).toEqual(at);
    const lines = problems.map((p) => p.line!);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(problems.map((p) => p.field)).toEqual([
      'fleet.ssh.port',
      `servers[${exampleIndex('go')}]`,
      `servers[${exampleIndex('srv1')}].expires`,
      `servers[${exampleIndex('srv2')}].roles`,
      `servers[${exampleIndex('srv3')}].name`,
      `servers[${exampleIndex('srv5')}].ipv4`,
    ]);
    for (const p of problems) {
      expect(p.file).toBe(FILE);
      expect(p.message.length).toBeGreaterThan(0);
    }
  });

  it('YAML errors are sorted by line too', () => {
    const text = edit(EXAMPLE, '  - name: srv3', '\t- name: srv3');
    const problems = problemsOf(parseInventory(text, FILE));
    expect(problems.length).toBeGreaterThan(1);
    const keys = problems.map((p) => p.line! * 10_000 + p.column!);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });
});
