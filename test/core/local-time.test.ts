import { localCalendar, localTimeToInstant } from '../../lib/core/messaging/local-time';

describe('localCalendar', () => {
  it.each([
    // zone, instant, day, week (Monday), weekday, time, offset (min)
    ['Asia/Jakarta', '2026-11-22T16:59:00Z', '2026-11-22', '2026-11-16', 'sun', '23:59', 420],
    ['Asia/Jakarta', '2026-11-22T17:00:00Z', '2026-11-23', '2026-11-23', 'mon', '00:00', 420],
    ['Asia/Jayapura', '2026-11-22T14:59:00Z', '2026-11-22', '2026-11-16', 'sun', '23:59', 540],
    ['Asia/Jayapura', '2026-11-22T15:00:00Z', '2026-11-23', '2026-11-23', 'mon', '00:00', 540],
    // New York spring forward, 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z)
    ['America/New_York', '2026-03-08T06:59:00Z', '2026-03-08', '2026-03-02', 'sun', '01:59', -300],
    ['America/New_York', '2026-03-08T07:00:00Z', '2026-03-08', '2026-03-02', 'sun', '03:00', -240],
    // New York fall back, 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z): 01:30 happens twice
    ['America/New_York', '2026-11-01T05:30:00Z', '2026-11-01', '2026-10-26', 'sun', '01:30', -240],
    ['America/New_York', '2026-11-01T06:30:00Z', '2026-11-01', '2026-10-26', 'sun', '01:30', -300],
    ['America/New_York', '2026-11-02T04:59:00Z', '2026-11-01', '2026-10-26', 'sun', '23:59', -300],
    ['America/New_York', '2026-11-02T05:00:00Z', '2026-11-02', '2026-11-02', 'mon', '00:00', -300],
    // Sydney: DST ends 2026-04-05 03:00 AEDT -> 02:00 AEST; starts 2026-10-04 02:00 AEST -> 03:00 AEDT
    ['Australia/Sydney', '2026-04-04T15:30:00Z', '2026-04-05', '2026-03-30', 'sun', '02:30', 660],
    ['Australia/Sydney', '2026-04-04T16:30:00Z', '2026-04-05', '2026-03-30', 'sun', '02:30', 600],
    ['Australia/Sydney', '2026-10-03T16:00:00Z', '2026-10-04', '2026-09-28', 'sun', '03:00', 660],
    ['Australia/Sydney', '2026-10-04T13:00:00Z', '2026-10-05', '2026-10-05', 'mon', '00:00', 660],
    ['UTC', '2026-01-01T00:00:00Z', '2026-01-01', '2025-12-29', 'thu', '00:00', 0],
  ])('%s at %s is %s (week %s) %s %s, offset %i', (zone, instant, day, week, weekday, time, offset) => {
    // Act
    const local = localCalendar(new Date(instant), zone);

    // Assess
    expect(local).toEqual({ day, week, weekday, time, minutes: Number(time.slice(0, 2)) * 60 + Number(time.slice(3)), offsetMinutes: offset });
  });

  it('throws for an unknown zone', () => {
    expect(() => localCalendar(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('localTimeToInstant', () => {
  it.each([
    ['an ordinary time, Jakarta', '2026-11-22', '08:00', 'Asia/Jakarta', undefined, '2026-11-22T01:00:00.000Z'],
    ['an ordinary time, Jayapura', '2026-11-22', '08:00', 'Asia/Jayapura', undefined, '2026-11-21T23:00:00.000Z'],
    ['midnight', '2026-11-23', '00:00', 'Asia/Jakarta', undefined, '2026-11-22T17:00:00.000Z'],
    ['a skipped time (New York spring forward): the transition', '2026-03-08', '02:30', 'America/New_York', undefined, '2026-03-08T07:00:00.000Z'],
    ['after the jump, New York', '2026-03-08', '08:00', 'America/New_York', undefined, '2026-03-08T12:00:00.000Z'],
    ['the day before the jump, New York', '2026-03-07', '08:00', 'America/New_York', undefined, '2026-03-07T13:00:00.000Z'],
    ['a repeated time (New York fall back): the first', '2026-11-01', '01:30', 'America/New_York', undefined, '2026-11-01T05:30:00.000Z'],
    ['a repeated time, the first already past: the second', '2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:45:00Z', '2026-11-01T06:30:00.000Z'],
    ['a skipped time (Sydney spring forward)', '2026-10-04', '02:30', 'Australia/Sydney', undefined, '2026-10-03T16:00:00.000Z'],
    ['a repeated time (Sydney fall back)', '2026-04-05', '02:30', 'Australia/Sydney', undefined, '2026-04-04T15:30:00.000Z'],
    ['Sydney summer', '2026-01-15', '08:00', 'Australia/Sydney', undefined, '2026-01-14T21:00:00.000Z'],
  ])('%s', (_name, day, time, zone, notBefore, expected) => {
    // Act
    const instant = localTimeToInstant(day, time, zone, notBefore ? new Date(notBefore) : undefined);

    // Assess
    expect(instant.toISOString()).toBe(expected);
  });
});
