import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, type Document } from 'yaml';
import { keepOriginalLines } from '../../../src/inventory/keep-formatting.js';
import { parseInventory } from '../../../src/inventory/load.js';
import { planInventoryEdit } from '../../../src/inventory/plan-edit.js';
import { serverIndex } from '../../../src/inventory/server-index.js';
import { WeclickError } from '../../../src/ui/errors.js';
import { EXIT } from '../../../src/ui/exit-codes.js';

const EXAMPLE = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');
const FILE = 'fleet.yaml';

function edit(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0 || text.indexOf(from, first + 1) >= 0) throw new Error(`'${from}' must occur exactly once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/** The example with the kind of layout people write by hand, that the yaml printer would change. */
let ODD = EXAMPLE;
ODD = edit(ODD, 'servers:\n', 'servers:\n\n\n   # workers and friends, odd indent\n#tight comment\n');
ODD = edit(ODD, '    provider: IP Hoster\n    expires: 2025-03-23', '    provider:    IP Hoster     #  odd   spacing\n    expires:   2025-03-23');
ODD = edit(ODD, 'roles: [marzban]\n    provider: pq.hosting\n    expires: 2025-03-09', 'roles: [ marzban ]\n    provider: pq.hosting\n    expires: 2025-03-09   # renewed by hand');
ODD = edit(ODD, '    expires: 2025-02-28\n', '    expires: 2025-02-28\n    notes: >-\n      folded notes\n      on two lines\n');
ODD = edit(ODD, '  - name: srv4', '\n\n  - name: srv4');
ODD = ODD.replace(/\n$/, '');

function loaded(text: string) {
  const result = parseInventory(text, FILE);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

/** Lines of a unified diff that add or remove something. */
function changedLines(diff: string): string[] {
  return diff.split('\n').filter((line) => /^[-+]/.test(line) && !/^(---|\+\+\+) /.test(line));
}

/**
 * Changed lines, less a line removed and added back with the same text: what a diff shows when only the
 * line break after a file's last line comes or goes.
 */
function realChanges(diff: string): string[] {
  const lines = changedLines(diff).map((l) => l.replace(/\r$/, ''));
  return lines.filter((l) => !lines.includes(`${l.startsWith('-') ? '+' : '-'}${l.slice(1)}`));
}

function setExpires(name: string, date: string) {
  return (doc: Document) => doc.setIn(['servers', serverIndex(doc, name), 'expires'], date);
}

describe('planInventoryEdit', () => {
  it('the odd file is a valid inventory with the same data as the example (plus notes)', () => {
    const odd = loaded(ODD).inventory;
    const example = loaded(EXAMPLE).inventory;
    expect(odd.servers.map((s) => ({ ...s, notes: undefined }))).toEqual(example.servers.map((s) => ({ ...s, notes: undefined })));
  });

  for (const [label, text] of [
    ['the example', EXAMPLE],
    ['a file with odd spacing', ODD],
    ['a CRLF file', ODD.replace(/\n/g, '\r\n')],
  ] as const) {
    describe(label, () => {
      it('a renew is a one-line diff and every other byte is kept', () => {
        const before = loaded(text);
        for (const server of before.inventory.servers) {
          const until = server.expires.replace(/^\d{4}/, (y) => String(Number(y) + 1));
          const plan = planInventoryEdit(before, setExpires(server.name, until));
          expect(plan.changed).toBe(true);
          expect(changedLines(plan.diff)).toEqual([expect.stringMatching(new RegExp(`^-\\s+expires:\\s+${server.expires}`)), expect.stringMatching(new RegExp(`^\\+\\s+expires: ${until}`))]);
          const a = text.split('\n');
          const b = plan.after.split('\n');
          expect(b).toHaveLength(a.length);
          const differing = a.flatMap((line, i) => (line === b[i] ? [] : [i]));
          expect(differing).toHaveLength(1);
          // A trailing comment on the changed line survives.
          const comment = /#.*$/.exec(a[differing[0]!]!.replace(/\r$/, ''))?.[0];
          if (comment) expect(b[differing[0]!]).toContain(comment);
          if (text.includes('\r\n')) expect(plan.after.replace(/\r\n/g, '')).not.toContain('\n');
          expect(plan.result.inventory.servers.find((s) => s.name === server.name)!.expires).toBe(until);
        }
      });

      it('every comment of the file is still there after a renew', () => {
        const before = loaded(text);
        const plan = planInventoryEdit(before, setExpires('srv1', '2026-01-01'));
        const comments = text.split('\n').filter((line) => line.includes('#'));
        const after = plan.after.split('\n');
        for (const line of comments) {
          if (line.includes('expires:')) continue;
          expect(after).toContain(line);
        }
      });

      it('adding a server only adds lines', () => {
        const before = loaded(text);
        const plan = planInventoryEdit(before, (doc) => {
          doc.addIn(['servers'], doc.createNode({ name: 'srv6', hostname: 'srv6.weclick.tech', ipv4: '198.51.100.26', roles: ['marzban'], provider: 'pq.hosting', expires: '2027-01-31' }));
        });
        // Appending after a last line without a line break gives that line one; nothing is removed.
        const changed = realChanges(plan.diff);
        expect(changed.filter((l) => l.startsWith('-'))).toEqual([]);
        expect(changed.filter((l) => l.startsWith('+')).map((l) => l.slice(1).replace(/\r$/, ''))).toEqual(expect.arrayContaining(['  - name: srv6', '    hostname: srv6.weclick.tech']));
        // Every original line is still there, in order.
        const after = plan.after.split('\n').map((l) => l.replace(/\r$/, ''));
        let cursor = 0;
        for (const line of text.replace(/\r?\n?$/, '').split('\n').map((l) => l.replace(/\r$/, ''))) {
          const found = after.indexOf(line, cursor);
          expect(found, line).toBeGreaterThanOrEqual(cursor);
          cursor = found + 1;
        }
        expect(plan.result.inventory.servers.map((s) => s.name)).toContain('srv6');
      });

      it('deleting a server removes only its lines', () => {
        const before = loaded(text);
        const plan = planInventoryEdit(before, (doc) => doc.deleteIn(['servers', serverIndex(doc, 'srv2')]));
        const removed = changedLines(plan.diff);
        expect(removed.every((l) => l.startsWith('-'))).toBe(true);
        expect(removed.map((l) => l.slice(1).replace(/\r$/, ''))).toEqual(expect.arrayContaining(['  - name: srv2', '    hostname: srv2.weclick.tech']));
        expect(removed.some((l) => /srv[^2]\./.test(l))).toBe(false);
        // What is left is the original minus those lines, in order.
        const after = plan.after.split('\n');
        let cursor = 0;
        for (const line of after) {
          const found = text.split('\n').indexOf(line, cursor);
          expect(found, line).toBeGreaterThanOrEqual(cursor);
          cursor = found + 1;
        }
        expect(plan.result.inventory.servers.map((s) => s.name)).not.toContain('srv2');
      });

      it('deleting the last server keeps the rest verbatim', () => {
        const before = loaded(text);
        const last = before.inventory.servers.at(-1)!.name;
        const plan = planInventoryEdit(before, (doc) => doc.deleteIn(['servers', serverIndex(doc, last)]));
        expect(changedLines(plan.diff).every((l) => l.startsWith('-'))).toBe(true);
        expect(text.startsWith(plan.after.replace(/\r?\n?$/, ''))).toBe(true);
      });

      it('unsetting a field removes exactly its line', () => {
        const before = loaded(text);
        const plan = planInventoryEdit(before, (doc) => doc.deleteIn(['servers', serverIndex(doc, 'srv2'), 'price']));
        expect(changedLines(plan.diff)).toEqual([expect.stringMatching(/^-\s+price: \{ monthly: 8\.00, currency: EUR \}/)]);
        const a = text.split('\n');
        const gone = a.findIndex((l) => l.includes('monthly: 8.00'));
        expect(plan.after.split('\n')).toEqual([...a.slice(0, gone), ...a.slice(gone + 1)]);
      });
    });
  }

  it('an edit next to a folded block keeps the block as written', () => {
    const before = loaded(ODD);
    const plan = planInventoryEdit(before, setExpires('srv3', '2026-02-28'));
    expect(plan.after).toContain('    notes: >-\n      folded notes\n      on two lines\n');
    expect(changedLines(plan.diff)).toHaveLength(2);
  });

  it('an edit of a line the printer rewrites still gives the right data', () => {
    const before = loaded(ODD);
    const plan = planInventoryEdit(before, (doc) => doc.setIn(['servers', serverIndex(doc, 'srv3'), 'notes'], 'one line now'));
    expect(plan.result.inventory.servers.find((s) => s.name === 'srv3')!.notes).toBe('one line now');
    expect(parse(plan.after)).toEqual({ ...parse(ODD), servers: (parse(ODD) as { servers: Array<{ name: string }> }).servers.map((s) => (s.name === 'srv3' ? { ...s, notes: 'one line now' } : s)) });
  });

  it('a change to nothing is no change', () => {
    const before = loaded(ODD);
    const plan = planInventoryEdit(before, setExpires('srv1', before.inventory.servers.find((s) => s.name === 'srv1')!.expires));
    expect(plan.changed).toBe(false);
    expect(plan.diff).toBe('');
    expect(plan.after).toBe(ODD);
  });

  it('does not touch the loaded document', () => {
    const before = loaded(EXAMPLE);
    const printed = before.doc.toString();
    planInventoryEdit(before, setExpires('srv1', '2030-01-01'));
    expect(before.doc.toString()).toBe(printed);
    expect(before.text).toBe(EXAMPLE);
  });

  it('an edit that makes the inventory invalid throws WeclickError, exit 3, with the position', () => {
    const before = loaded(ODD);
    const line = ODD.split('\n').findIndex((l) => l.includes('expires:   2025-03-23')) + 1;
    let error: unknown;
    try {
      planInventoryEdit(before, setExpires('srv2', '2025-02-30'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeclickError);
    const weclick = error as WeclickError;
    expect(weclick.exitCode).toBe(EXIT.badInput);
    expect(weclick.exitCode).toBe(3);
    expect(weclick.message).toMatch(/invalid; nothing was written/);
    const column = 'expires: '.length + 4 + 1;
    expect(weclick.details).toEqual([`${FILE} (after the change):${line}:${column}: servers[${serverIndex(before.doc, 'srv2')}].expires: '2025-02-30' is not a real calendar date`]);
  });

  it('a duplicate created by an edit is reported at the edited server', () => {
    const before = loaded(EXAMPLE);
    expect(() => planInventoryEdit(before, (doc) => doc.setIn(['servers', serverIndex(doc, 'srv5'), 'ipv4'], '198.51.100.21'))).toThrowError(
      expect.objectContaining({ exitCode: 3, details: [expect.stringMatching(new RegExp(`:${EXAMPLE.split('\n').findIndex((l) => l.includes('198.51.100.25')) + 1}:11: servers\\[\\d\\]\\.ipv4: duplicate ipv4`))] }),
    );
  });
});

describe('keepOriginalLines', () => {
  it('returns the original when nothing changed', () => {
    expect(keepOriginalLines('a:   1   # c\nb: [ x ]\n', 'a: 1 # c\nb: [x]\n', 'a: 1 # c\nb: [x]\n')).toBe('a:   1   # c\nb: [ x ]\n');
  });

  it('takes the changed line from the update and every other line from the original', () => {
    expect(keepOriginalLines('a:   1   # c\nb: [ x ]\nc:  3\n', 'a: 1 # c\nb: [x]\nc: 3\n', 'a: 1 # c\nb: [x, y]\nc: 3\n')).toBe('a:   1   # c\nb: [x, y]\nc:  3\n');
  });

  it('inserts and removes lines where the update does', () => {
    expect(keepOriginalLines('a:  1\nb:  2\n', 'a: 1\nb: 2\n', 'a: 1\nx: 9\nb: 2\n')).toBe('a:  1\nx: 9\nb:  2\n');
    expect(keepOriginalLines('a:  1\nb:  2\nc:  3\n', 'a: 1\nb: 2\nc: 3\n', 'a: 1\nc: 3\n')).toBe('a:  1\nc:  3\n');
  });

  it('keeps blank lines and comments the printer drops or moves', () => {
    const original = 'a:  1\n\n\n# about b\nb:  2\n';
    const normalized = 'a: 1\n\n# about b\nb: 2\n';
    expect(keepOriginalLines(original, normalized, 'a: 1\n\n# about b\nb: 3\n')).toBe('a:  1\n\n\n# about b\nb: 3\n');
  });

  it('keeps a missing last line break', () => {
    expect(keepOriginalLines('a:  1\nb:  2', 'a: 1\nb: 2\n', 'a: 9\nb: 2\n')).toBe('a: 9\nb:  2');
  });

  it('keeps CRLF line endings, also on added lines', () => {
    expect(keepOriginalLines('a:  1\r\nb:  2\r\n', 'a: 1\nb: 2\n', 'a: 1\nb: 3\nc: 4\n')).toBe('a:  1\r\nb: 3\r\nc: 4\r\n');
  });

  it('falls back to the printed update when an edited line cannot be traced to the original', () => {
    const original = 'a: >\n  long\n  text\nb: 1\n';
    const normalized = 'a: >\n  long text\nb: 1\n';
    expect(keepOriginalLines(original, normalized, 'a: >\n  other text\nb: 1\n')).toBe('a: >\n  other text\nb: 1\n');
    // Untouched, the block stays as written.
    expect(keepOriginalLines(original, normalized, 'a: >\n  long text\nb: 2\n')).toBe('a: >\n  long\n  text\nb: 2\n');
  });

  it('any edit of any hand-formatted inventory keeps its meaning', () => {
    // Layout changes that do not change the data: extra blank lines, spaces, comments, no final line break.
    const layout = fc.array(
      fc.record({
        line: fc.nat(),
        kind: fc.constantFrom('blank', 'comment', 'spaces', 'flow-padding'),
      }),
      { maxLength: 6 },
    );
    const change = fc.oneof(
      fc.record({ kind: fc.constant('renew' as const), server: fc.nat(), days: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('remove' as const), server: fc.nat() }),
      fc.record({ kind: fc.constant('unset' as const), server: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const) }),
      fc.record({ kind: fc.constant('state' as const), server: fc.nat() }),
    );
    fc.assert(
      fc.property(layout, change, fc.boolean(), fc.boolean(), (changes, c, noFinalBreak, crlf) => {
        const lines = EXAMPLE.replace(/\n$/, '').split('\n');
        for (const l of changes) {
          const at = 1 + (l.line % (lines.length - 1));
          if (l.kind === 'blank') lines.splice(at, 0, '');
          else if (l.kind === 'comment') lines.splice(at, 0, `${' '.repeat(l.line % 5)}# note ${l.line}`);
          else if (l.kind === 'spaces') lines[at] = lines[at]!.replace(/: /, ':   ');
          else lines[at] = lines[at]!.replace(/\[(\w)/, '[ $1').replace(/\{ /, '{');
        }
        let text = `${lines.join('\n')}${noFinalBreak ? '' : '\n'}`;
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const before = parseInventory(text, FILE);
        if (!before.ok) return; // the layout change happened to break YAML (a comment inside a flow map): not this test's subject
        const names = before.inventory.servers.map((s) => s.name);
        const name = 'server' in c ? names[c.server % names.length]! : '';
        const plan = planInventoryEdit(before, (doc) => {
          const i = serverIndex(doc, name);
          if (c.kind === 'renew') doc.setIn(['servers', i, 'expires'], '2031-01-01');
          else if (c.kind === 'remove') doc.deleteIn(['servers', i]);
          else if (c.kind === 'unset') doc.deleteIn(['servers', i, 'price']);
          else if (c.kind === 'state') doc.setIn(['servers', i, 'state'], 'draining');
          else doc.addIn(['servers'], doc.createNode({ name: 'srv9', hostname: 'srv9.weclick.tech', ipv4: '198.51.100.99', roles: ['marzban'], provider: 'x', expires: '2030-01-01' }));
        });
        // The text written means exactly what the edited document means.
        const expected = before.doc.clone();
        const i = serverIndex(expected, name);
        if (c.kind === 'renew') expected.setIn(['servers', i, 'expires'], '2031-01-01');
        else if (c.kind === 'remove') expected.deleteIn(['servers', i]);
        else if (c.kind === 'unset') expected.deleteIn(['servers', i, 'price']);
        else if (c.kind === 'state') expected.setIn(['servers', i, 'state'], 'draining');
        else expected.addIn(['servers'], expected.createNode({ name: 'srv9', hostname: 'srv9.weclick.tech', ipv4: '198.51.100.99', roles: ['marzban'], provider: 'x', expires: '2030-01-01' }));
        expect(parseDocument(plan.after).toJS()).toEqual(expected.toJS());
        if (crlf) expect(plan.after.replace(/\r\n/g, '')).not.toContain('\n');
        // Lines the edit did not touch are byte-for-byte the same: the diff stays small.
        // (A blank line or a comment just above a removed field goes with it, as the yaml package sees it.)
        const all = realChanges(plan.diff);
        const changed = all.filter((l) => l.slice(1).trim() !== '' && !l.slice(1).trim().startsWith('#'));
        if (c.kind === 'renew') {
          expect(changed).toHaveLength(2);
          expect(all.filter((l) => !changed.includes(l))).toEqual([]);
        }
        if (c.kind === 'unset') {
          expect(changed).toEqual([expect.stringMatching(/^-\s+price:/)]);
          expect(all.every((l) => l.startsWith('-'))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
