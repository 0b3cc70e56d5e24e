import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, addMonths, currentDate, dayNumber, daysBetween, fromDayNumber, localToday } from '../../../src/expiry/calendar-day.js';

const savedTz = process.env.TZ;
beforeEach(() => {
  process.env.TZ = 'UTC';
});
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** Runs `fn` with the process in time zone `tz`; Node applies a changed TZ at once. */
function inZone<T>(tz: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    process.env.TZ = before;
  }
}

const isoDay = fc.date({ min: new Date(Date.UTC(1971, 0, 1)), max: new Date(Date.UTC(2399, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

describe('dayNumber and fromDayNumber', () => {
  it('count days from 1970-01-01', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1969-12-31')).toBe(-1);
    expect(dayNumber('2000-03-01') - dayNumber('2000-02-28')).toBe(2); // 2000 is a leap year
    expect(dayNumber('1900-03-01') - dayNumber('1900-02-28')).toBe(1); // 1900 is not
  });

  it('are whole numbers and inverse of each other', () => {
    fc.assert(
      fc.property(isoDay, (day) => {
        expect(Number.isInteger(dayNumber(day))).toBe(true);
        expect(fromDayNumber(dayNumber(day))).toBe(day);
      }),
    );
  });
});

describe('daysBetween', () => {
  it('counts calendar days, negative into the past', () => {
    expect(daysBetween('2025-01-30', '2025-02-06')).toBe(7);
    expect(daysBetween('2025-01-30', '2025-01-30')).toBe(0);
    expect(daysBetween('2025-01-30', '2024-12-12')).toBe(-49);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-02-28', '2025-03-01')).toBe(1);
    expect(daysBetween('2024-12-31', '2025-01-01')).toBe(1);
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('does not depend on the time zone, across DST changes', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      inZone(tz, () => {
        // Europe/Berlin: 2025-03-30 has 23 hours, 2025-10-26 has 25; America/New_York: 2025-03-09 and 2025-11-02.
        expect(daysBetween('2025-03-29', '2025-03-31'), tz).toBe(2);
        expect(daysBetween('2025-10-25', '2025-10-27'), tz).toBe(2);
        expect(daysBetween('2025-03-08', '2025-03-10'), tz).toBe(2);
        expect(daysBetween('2025-11-01', '2025-11-03'), tz).toBe(2);
        expect(daysBetween('2025-01-01', '2025-12-31'), tz).toBe(364);
      });
    }
  });

  it('is antisymmetric and agrees with addDays', () => {
    fc.assert(
      fc.property(isoDay, fc.integer({ min: -3000, max: 3000 }), (day, n) => {
        const later = addDays(day, n);
        expect(daysBetween(day, later)).toBe(n);
        expect(daysBetween(later, day) + n).toBe(0);
      }),
    );
  });
});

describe('addDays', () => {
  it('crosses month, year and leap-day boundaries', () => {
    expect(addDays('2025-01-31', 1)).toBe('2025-02-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(addDays('2025-01-30', 0)).toBe('2025-01-30');
    expect(addDays('2025-01-30', 365)).toBe('2026-01-30');
  });

  it('is not shifted by DST in the local zone', () => {
    inZone('Europe/Berlin', () => {
      expect(addDays('2025-03-29', 1)).toBe('2025-03-30');
      expect(addDays('2025-03-30', 1)).toBe('2025-03-31');
      expect(addDays('2025-10-26', 1)).toBe('2025-10-27');
    });
    inZone('America/New_York', () => {
      expect(addDays('2025-03-09', 1)).toBe('2025-03-10');
      expect(addDays('2025-11-02', 1)).toBe('2025-11-03');
    });
  });
});

describe('addMonths', () => {
  it('clamps to the last day of a shorter month', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-03-31', 1)).toBe('2025-04-30');
    expect(addMonths('2025-08-31', 1)).toBe('2025-09-30');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2100-01-31', 1)).toBe('2100-02-28'); // not a leap year
    expect(addMonths('2000-01-31', 1)).toBe('2000-02-29'); // a leap year
  });

  it('keeps the day when it exists', () => {
    expect(addMonths('2025-01-30', 1)).toBe('2025-02-28');
    expect(addMonths('2025-02-06', 1)).toBe('2025-03-06');
    expect(addMonths('2025-03-09', 1)).toBe('2025-04-09');
    expect(addMonths('2025-01-15', 13)).toBe('2026-02-15');
  });

  it('crosses years, forward and backward', () => {
    expect(addMonths('2025-12-15', 1)).toBe('2026-01-15');
    expect(addMonths('2025-11-30', 3)).toBe('2026-02-28');
    expect(addMonths('2025-01-15', -1)).toBe('2024-12-15');
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2025-01-15', 120)).toBe('2035-01-15');
  });

  it('always lands in the right month, on the same day or that month’s last', () => {
    fc.assert(
      fc.property(isoDay, fc.integer({ min: 1, max: 120 }), (day, months) => {
        const [y, m, d] = day.split('-').map(Number) as [number, number, number];
        const result = addMonths(day, months);
        const [ry, rm, rd] = result.split('-').map(Number) as [number, number, number];
        expect(ry * 12 + rm - 1).toBe(y * 12 + m - 1 + months);
        const lastOfMonth = new Date(Date.UTC(ry, rm, 0)).getUTCDate();
        expect(rd).toBe(Math.min(d, lastOfMonth));
      }),
    );
  });
});

describe('localToday', () => {
  it('is the calendar day where the process is, around midnight UTC', () => {
    const instant = new Date('2026-03-01T23:30:00Z');
    expect(inZone('UTC', () => localToday(instant))).toBe('2026-03-01');
    expect(inZone('Asia/Tokyo', () => localToday(instant))).toBe('2026-03-02'); // 08:30 next morning
    expect(inZone('America/Los_Angeles', () => localToday(instant))).toBe('2026-03-01'); // 15:30

    const justAfter = new Date('2026-03-02T00:30:00Z');
    expect(inZone('UTC', () => localToday(justAfter))).toBe('2026-03-02');
    expect(inZone('America/Los_Angeles', () => localToday(justAfter))).toBe('2026-03-01'); // 16:30 the day before
    expect(inZone('Asia/Tokyo', () => localToday(justAfter))).toBe('2026-03-02');
  });

  it('pads months and days', () => {
    expect(inZone('UTC', () => localToday(new Date('2025-01-05T12:00:00Z')))).toBe('2025-01-05');
  });

  it('a 23-hour day (DST starts) still counts as one day: Europe/Berlin', () => {
    inZone('Europe/Berlin', () => {
      // 00:30 local on 2025-03-30 (CET, UTC+1) and 00:30 local on 2025-03-31 (CEST, UTC+2): 23 hours apart.
      const start = new Date('2025-03-29T23:30:00Z');
      const next = new Date('2025-03-30T22:30:00Z');
      expect(next.getTime() - start.getTime()).toBe(23 * 3_600_000);
      expect(localToday(start)).toBe('2025-03-30');
      expect(localToday(next)).toBe('2025-03-31');
      expect(daysBetween(localToday(start), localToday(next))).toBe(1);
    });
  });

  it('a 25-hour day (DST ends) still counts as one day: Europe/Berlin', () => {
    inZone('Europe/Berlin', () => {
      const start = new Date('2025-10-25T22:30:00Z'); // 00:30 CEST on 10-26
      const next = new Date('2025-10-26T23:30:00Z'); // 00:30 CET on 10-27
      expect(next.getTime() - start.getTime()).toBe(25 * 3_600_000);
      expect(localToday(start)).toBe('2025-10-26');
      expect(localToday(next)).toBe('2025-10-27');
      expect(daysBetween(localToday(start), localToday(next))).toBe(1);
      // And 23:30 the same day is still that day, 24 hours after its start would not be.
      expect(localToday(new Date('2025-10-26T22:30:00Z'))).toBe('2025-10-26');
    });
  });

  it('23- and 25-hour days in America/New_York', () => {
    inZone('America/New_York', () => {
      const beforeSpring = new Date('2025-03-09T05:30:00Z'); // 00:30 EST
      const afterSpring = new Date('2025-03-10T04:30:00Z'); // 00:30 EDT, 23 hours later
      expect(localToday(beforeSpring)).toBe('2025-03-09');
      expect(localToday(afterSpring)).toBe('2025-03-10');
      const beforeFall = new Date('2025-11-02T04:30:00Z'); // 00:30 EDT
      const afterFall = new Date('2025-11-03T05:30:00Z'); // 00:30 EST, 25 hours later
      expect(afterFall.getTime() - beforeFall.getTime()).toBe(25 * 3_600_000);
      expect(localToday(beforeFall)).toBe('2025-11-02');
      expect(localToday(afterFall)).toBe('2025-11-03');
      expect(localToday(new Date('2025-11-03T04:30:00Z'))).toBe('2025-11-02'); // 23:30 EST, still the 2nd
    });
  });

  it('every local midnight starts a new day, every hour of a year, in zones with DST', () => {
    for (const tz of ['Europe/Berlin', 'America/New_York']) {
      inZone(tz, () => {
        let previous = localToday(new Date('2025-01-01T12:00:00Z'));
        for (let t = Date.parse('2025-01-01T12:00:00Z'); t < Date.parse('2026-01-01T00:00:00Z'); t += 3_600_000) {
          const today = localToday(new Date(t));
          const step = daysBetween(previous, today);
          expect(step === 0 || step === 1, `${tz} ${new Date(t).toISOString()}`).toBe(true);
          previous = today;
        }
        expect(previous.startsWith('2025-12-31') || previous.startsWith('2026-01-01')).toBe(true);
      });
    }
  });
});

describe('currentDate (WECLICK_NOW)', () => {
  it('an ISO date-time pins the instant', () => {
    expect(currentDate({ WECLICK_NOW: '2025-01-30T10:00:00Z' }).toISOString()).toBe('2025-01-30T10:00:00.000Z');
    expect(currentDate({ WECLICK_NOW: '2025-01-30T10:00:00+09:00' }).toISOString()).toBe('2025-01-30T01:00:00.000Z');
  });

  it('the pinned instant is read as a calendar day in the process zone', () => {
    const env = { WECLICK_NOW: '2026-03-01T23:30:00Z' };
    expect(inZone('UTC', () => localToday(currentDate(env)))).toBe('2026-03-01');
    expect(inZone('Asia/Tokyo', () => localToday(currentDate(env)))).toBe('2026-03-02');
    expect(inZone('America/Los_Angeles', () => localToday(currentDate(env)))).toBe('2026-03-01');
  });

  it('a bare date is that calendar day in every zone', () => {
    for (const tz of ['UTC', 'America/Los_Angeles', 'Pacific/Honolulu', 'Asia/Tokyo', 'Pacific/Kiritimati', 'America/Santiago']) {
      expect(inZone(tz, () => localToday(currentDate({ WECLICK_NOW: '2025-01-30' }))), tz).toBe('2025-01-30');
      expect(inZone(tz, () => localToday(currentDate({ WECLICK_NOW: '2025-09-07' }))), tz).toBe('2025-09-07');
    }
  });

  it('without WECLICK_NOW, or with one that is not a date, is the real clock', () => {
    for (const env of [{}, { WECLICK_NOW: '' }, { WECLICK_NOW: 'yesterday' }, { WECLICK_NOW: '2025-02-30' }]) {
      const before = Date.now();
      const now = currentDate(env).getTime();
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(Date.now());
    }
  });

  it('reads process.env by default', () => {
    const saved = process.env.WECLICK_NOW;
    process.env.WECLICK_NOW = '2031-07-04T05:06:07Z';
    try {
      expect(currentDate().toISOString()).toBe('2031-07-04T05:06:07.000Z');
    } finally {
      if (saved === undefined) delete process.env.WECLICK_NOW;
      else process.env.WECLICK_NOW = saved;
    }
  });
});
