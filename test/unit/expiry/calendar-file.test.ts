import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../../src/expiry/calendar-day.js';
import { renderExpiryCalendar } from '../../../src/expiry/calendar-file.js';
import { findExpiring, type ExpiringServer } from '../../../src/expiry/expiring.js';
import { parseInventory } from '../../../src/inventory/load.js';

const EXAMPLE = readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8');
const TODAY = '2025-01-30';

function exampleServers(): ExpiringServer[] {
  const result = parseInventory(EXAMPLE, 'test.yaml');
  if (!result.ok) throw new Error('example must load');
  const last = result.inventory.servers.map((s) => s.expires).sort().at(-1)!;
  return findExpiring(result.inventory, { today: TODAY, days: daysBetween(TODAY, last), critical: 3 }).servers;
}

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}

interface Component {
  type: string;
  props: Property[];
  children: Component[];
}

/** A small RFC 5545 reader: CRLF lines, folding (CRLF + space or tab), components and properties. */
function parseIcs(text: string): Component {
  expect(text.endsWith('\r\n')).toBe(true);
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) expect(line).not.toMatch(/[\r\n]/);
  const lines: string[] = [];
  for (const line of physical) {
    if (/^[ \t]/.test(line)) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
  }
  const root: Component = { type: 'ROOT', props: [], children: [] };
  const stack = [root];
  for (const line of lines) {
    const colon = line.indexOf(':');
    expect(colon, line).toBeGreaterThan(0);
    const [name, ...params] = line.slice(0, colon).split(';');
    const value = line.slice(colon + 1);
    if (name === 'BEGIN') {
      const component: Component = { type: value, props: [], children: [] };
      stack.at(-1)!.children.push(component);
      stack.push(component);
    } else if (name === 'END') {
      expect(stack.pop()!.type).toBe(value);
    } else {
      stack.at(-1)!.props.push({ name: name!, params: Object.fromEntries(params.map((p) => p.split('=') as [string, string])), value });
    }
  }
  expect(stack).toHaveLength(1);
  return root;
}

const prop = (c: Component, name: string) => c.props.find((p) => p.name === name);

/** Seconds in an RFC 5545 duration; throws on anything the grammar does not allow (e.g. "P7DT"). */
function durationSeconds(value: string): number {
  const m = /^([+-])?P(?:(\d+)W|(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/.exec(value);
  if (!m || value.endsWith('P') || value.endsWith('T')) throw new Error(`not an RFC 5545 duration: ${value}`);
  const [, sign, w, d, h, min, s] = m;
  const seconds = Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  return sign === '-' ? -seconds : seconds;
}

describe('durationSeconds (the test reader itself)', () => {
  it('accepts RFC 5545 durations and rejects the rest', () => {
    expect(durationSeconds('-P7D')).toBe(-7 * 86400);
    expect(durationSeconds('P1W')).toBe(604800);
    expect(durationSeconds('-PT168H')).toBe(-7 * 86400);
    expect(durationSeconds('PT0S')).toBe(0);
    for (const bad of ['P7DT', '-PT', 'P', '7D', 'P1D2W']) expect(() => durationSeconds(bad), bad).toThrow();
  });
});

describe('renderExpiryCalendar', () => {
  it('is one calendar with one all-day VEVENT per server', async () => {
    const servers = exampleServers();
    const ics = await renderExpiryCalendar(servers, { alarmDays: 7, domain: 'weclick.tech' });
    const root = parseIcs(ics);
    expect(root.children.map((c) => c.type)).toEqual(['VCALENDAR']);
    const calendar = root.children[0]!;
    expect(prop(calendar, 'VERSION')?.value).toBe('2.0');
    expect(prop(calendar, 'PRODID')?.value).toBeTruthy();
    const events = calendar.children.filter((c) => c.type === 'VEVENT');
    expect(events).toHaveLength(servers.length);
    expect(servers).toHaveLength(7);

    for (const [i, server] of servers.entries()) {
      const event = events[i]!;
      const start = prop(event, 'DTSTART')!;
      expect(start.params.VALUE).toBe('DATE');
      expect(start.value).toBe(server.expires.replace(/-/g, ''));
      // All day: one day long, by DURATION or an exclusive DTEND the day after.
      const duration = prop(event, 'DURATION');
      const end = prop(event, 'DTEND');
      if (duration) expect(durationSeconds(duration.value)).toBe(86400);
      else expect(end).toMatchObject({ params: { VALUE: 'DATE' }, value: addDays(server.expires, 1).replace(/-/g, '') });
      expect(prop(event, 'SUMMARY')!.value).toContain(server.name);
      expect(prop(event, 'DTSTAMP')!.value).toMatch(/^\d{8}T\d{6}Z$/);
      // RFC 5545: at most one alarm trigger, a duration before the start.
      const alarms = event.children.filter((c) => c.type === 'VALARM');
      expect(alarms).toHaveLength(1);
      expect(prop(alarms[0]!, 'ACTION')!.value).toBe('DISPLAY');
      expect(prop(alarms[0]!, 'DESCRIPTION')!.value.length).toBeGreaterThan(0);
      expect(durationSeconds(prop(alarms[0]!, 'TRIGGER')!.value)).toBe(-7 * 86400);
    }
  });

  it('UIDs are unique, and stable from one export to the next', async () => {
    const servers = exampleServers();
    const uids = async () => parseIcs(await renderExpiryCalendar(servers, { alarmDays: 7, domain: 'weclick.tech' })).children[0]!.children.map((e) => prop(e, 'UID')!.value);
    const first = await uids();
    expect(new Set(first).size).toBe(servers.length);
    expect(await uids()).toEqual(first);
    // They name the server and the fleet domain, so two fleets' calendars do not collide.
    for (const [i, uid] of first.entries()) {
      expect(uid).toContain(servers[i]!.name);
      expect(uid).toMatch(/@weclick\.tech$/);
    }
    const other = parseIcs(await renderExpiryCalendar(servers, { alarmDays: 7, domain: 'example.net' })).children[0]!.children.map((e) => prop(e, 'UID')!.value);
    expect(other.filter((u) => first.includes(u))).toEqual([]);
  });

  it('the alarm follows --alarm, including 0 (at the start)', async () => {
    const servers = exampleServers().slice(0, 2);
    for (const days of [0, 1, 14, 30]) {
      const events = parseIcs(await renderExpiryCalendar(servers, { alarmDays: days, domain: 'weclick.tech' })).children[0]!.children;
      for (const event of events) {
        const trigger = prop(event.children[0]!, 'TRIGGER')!.value;
        expect(durationSeconds(trigger) + days * 86400, trigger).toBe(0);
      }
    }
  });

  it('an empty list is a valid calendar with no events', async () => {
    const root = parseIcs(await renderExpiryCalendar([], { alarmDays: 7, domain: 'weclick.tech' }));
    expect(root.children[0]!.type).toBe('VCALENDAR');
    expect(root.children[0]!.children).toEqual([]);
  });

  it('escapes text: commas in the roles list do not split the value', async () => {
    const servers = exampleServers().filter((s) => s.roles.length > 1);
    expect(servers.length).toBeGreaterThan(0);
    const ics = await renderExpiryCalendar(servers, { alarmDays: 7, domain: 'weclick.tech' });
    const description = prop(parseIcs(ics).children[0]!.children[0]!, 'DESCRIPTION')!.value;
    expect(description).toContain(servers[0]!.roles.join('\\, '));
  });
});
