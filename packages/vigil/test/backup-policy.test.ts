/**
 * The retention planner over synthetic timelines, table-driven: each case is a timeline, a
 * policy, and the golden plan (ids kept with their reasons; ids removed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../src/backup/duration.js';
import { formatPlan, groupByFromFlag, policyFromFlags } from '../src/backup/keep-options.js';
import { type GroupBy, isoWeek, type KeepPolicy, type PlannedSnapshot, planRetention } from '../src/backup/policy.js';
import { parseRecordedTime } from '../src/backup/recorded-time.js';
import { UsageError } from '../src/errors.js';

const SRC = ['/data'];

/** One snapshot a day at 03:00 UTC from `start`, ids d00, d01, ... */
function daily(start: string, days: number, sources = SRC, prefix = 'd'): PlannedSnapshot[] {
  const t0 = Date.parse(start);
  return Array.from({ length: days }, (_, i) => ({
    id: `${prefix}${String(i).padStart(2, '0')}`,
    time: new Date(t0 + i * 86_400_000 + 3 * 3_600_000).toISOString(),
    sources,
  }));
}

/** Snapshots at explicit times. */
function at(...times: string[]): PlannedSnapshot[] {
  return times.map((time, i) => ({ id: `s${i}`, time: new Date(time).toISOString(), sources: SRC }));
}

interface Case {
  readonly name: string;
  readonly snapshots: PlannedSnapshot[];
  readonly policy: KeepPolicy;
  /** id -> reasons, newest first. */
  readonly keep: Record<string, string[]>;
  /** Newest first. */
  readonly remove: string[];
}

const D2 = { years: 0, months: 0, days: 2, hours: 0 };
const M1 = { years: 0, months: 1, days: 0, hours: 0 };

const CASES: Case[] = [
  {
    name: 'no policy keeps everything',
    snapshots: daily('2024-01-01', 3),
    policy: {},
    keep: { d02: ['no policy'], d01: ['no policy'], d00: ['no policy'] },
    remove: [],
  },
  {
    name: '--keep-last 2 keeps the two newest',
    snapshots: daily('2024-01-01', 4),
    policy: { last: 2 },
    keep: { d03: ['last snapshot'], d02: ['last snapshot'] },
    remove: ['d01', 'd00'],
  },
  {
    name: '--keep-last larger than the timeline keeps all',
    snapshots: daily('2024-01-01', 2),
    policy: { last: 10 },
    keep: { d01: ['last snapshot'], d00: ['last snapshot'] },
    remove: [],
  },
  {
    name: '--keep-hourly keeps the newest of each hour',
    snapshots: at(
      '2024-03-01T10:05Z',
      '2024-03-01T10:45Z',
      '2024-03-01T11:10Z',
      '2024-03-01T11:50Z',
      '2024-03-01T13:00Z',
    ),
    policy: { hourly: 2 },
    keep: { s4: ['hourly snapshot'], s3: ['hourly snapshot'] },
    remove: ['s2', 's1', 's0'],
  },
  {
    name: '--keep-daily keeps the newest of each of the last n days that have one',
    snapshots: at(
      '2024-03-01T08:00Z',
      '2024-03-01T20:00Z',
      '2024-03-02T09:00Z',
      '2024-03-04T09:00Z',
      '2024-03-04T10:00Z',
    ),
    policy: { daily: 3 },
    keep: { s4: ['daily snapshot'], s2: ['daily snapshot'], s1: ['daily snapshot'] },
    remove: ['s3', 's0'],
  },
  {
    name: 'rules combine: a snapshot kept by two rules lists both reasons',
    snapshots: daily('2024-01-01', 10),
    policy: { last: 2, daily: 4 },
    keep: {
      d09: ['last snapshot', 'daily snapshot'],
      d08: ['last snapshot', 'daily snapshot'],
      d07: ['daily snapshot'],
      d06: ['daily snapshot'],
    },
    remove: ['d05', 'd04', 'd03', 'd02', 'd01', 'd00'],
  },
  {
    name: '--keep-weekly uses ISO weeks (Monday to Sunday)',
    // 2024-01-01 is a Monday: d00-d06 are week 1, d07-d13 week 2, d14-d20 week 3.
    snapshots: daily('2024-01-01', 21),
    policy: { weekly: 2 },
    keep: { d20: ['weekly snapshot'], d13: ['weekly snapshot'] },
    remove: ['d19', 'd18', 'd17', 'd16', 'd15', 'd14', 'd12', 'd11', 'd10', 'd09', 'd08', 'd07'].concat([
      'd06',
      'd05',
      'd04',
      'd03',
      'd02',
      'd01',
      'd00',
    ]),
  },
  {
    name: '--keep-monthly and --keep-yearly over two years of month-end snapshots',
    snapshots: at(
      '2022-11-30T12:00Z',
      '2022-12-31T12:00Z',
      '2023-06-30T12:00Z',
      '2023-12-31T12:00Z',
      '2024-01-31T12:00Z',
      '2024-02-29T12:00Z',
    ),
    policy: { monthly: 2, yearly: 3 },
    keep: {
      s5: ['monthly snapshot', 'yearly snapshot'],
      s4: ['monthly snapshot'],
      s3: ['yearly snapshot'],
      s1: ['yearly snapshot'],
    },
    remove: ['s2', 's0'],
  },
  {
    name: 'groups by sources: each set of sources keeps its own last snapshot',
    snapshots: [...daily('2024-01-01', 3, ['/a'], 'a'), ...daily('2024-01-01', 2, ['/b'], 'b')],
    policy: { last: 1 },
    keep: { a02: ['last snapshot'], b01: ['last snapshot'] },
    remove: ['a01', 'b00', 'a00'],
  },
  {
    name: 'a rule with count left at the oldest snapshot keeps it too (restic >= 0.16)',
    snapshots: at('2024-03-01T08:00Z', '2024-03-01T20:00Z', '2024-03-02T09:00Z'),
    policy: { daily: 5 },
    keep: { s2: ['daily snapshot'], s1: ['daily snapshot'], s0: ['oldest daily snapshot'] },
    remove: [],
  },
  {
    name: 'a rule whose count runs out before the oldest does not keep it',
    snapshots: at('2024-03-01T08:00Z', '2024-03-01T20:00Z', '2024-03-02T09:00Z'),
    policy: { daily: 2 },
    keep: { s2: ['daily snapshot'], s1: ['daily snapshot'] },
    remove: ['s0'],
  },
  {
    name: '--keep-within keeps what is within the duration of the newest, strictly',
    // d04 is the newest (2024-01-05T03:00Z): 2 days back is 2024-01-03T03:00Z, d02 itself, not after it.
    snapshots: daily('2024-01-01', 5),
    policy: { within: D2 },
    keep: { d04: ['within 2d'], d03: ['within 2d'] },
    remove: ['d02', 'd01', 'd00'],
  },
  {
    name: '--keep-within-daily keeps the newest of each day within the duration, and the oldest if within',
    snapshots: at(
      '2024-01-10T08:00Z',
      '2024-02-20T08:00Z',
      '2024-02-20T09:00Z',
      '2024-02-21T08:00Z',
      '2024-02-21T09:00Z',
    ),
    policy: { withinRules: { daily: M1 } },
    keep: { s4: ['daily within 1m'], s2: ['daily within 1m'] },
    remove: ['s3', 's1', 's0'],
  },
  {
    name: '--keep-within-daily keeps the oldest snapshot when it is within the duration',
    snapshots: at('2024-02-20T08:00Z', '2024-02-20T09:00Z', '2024-02-21T09:00Z'),
    policy: { withinRules: { daily: M1 } },
    keep: { s2: ['daily within 1m'], s1: ['daily within 1m'], s0: ['oldest daily within 1m'] },
    remove: [],
  },
  {
    name: '--keep-tag keeps every snapshot holding all tags of a list',
    snapshots: [
      { id: 'a', time: '2024-01-01T00:00:00.000Z', sources: SRC, tags: ['monthly', 'db'] },
      { id: 'b', time: '2024-01-02T00:00:00.000Z', sources: SRC, tags: ['db'] },
      { id: 'c', time: '2024-01-03T00:00:00.000Z', sources: SRC, tags: ['monthly'] },
      { id: 'd', time: '2024-01-04T00:00:00.000Z', sources: SRC },
    ],
    policy: { tags: [['monthly', 'db']], last: 1 },
    keep: { d: ['last snapshot'], a: ['has tags [monthly, db]'] },
    remove: ['c', 'b'],
  },
];

/** Two hosts, two tag sets, one path: how --group-by splits them. */
const MIXED: PlannedSnapshot[] = [
  { id: 'h1', time: '2024-01-01T00:00:00.000Z', sources: SRC, host: 'one', tags: ['x'] },
  { id: 'h2', time: '2024-01-02T00:00:00.000Z', sources: SRC, host: 'two', tags: [] },
  { id: 'h3', time: '2024-01-03T00:00:00.000Z', sources: SRC, host: 'one', tags: [] },
  { id: 'h4', time: '2024-01-04T00:00:00.000Z', sources: SRC, host: 'two', tags: ['x'] },
];

describe('planRetention', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const plan = planRetention(c.snapshots, c.policy);
      assert.deepEqual(Object.fromEntries(plan.keep.map((k) => [k.id, [...k.reasons]])), c.keep);
      assert.deepEqual(Object.keys(Object.fromEntries(plan.keep.map((k) => [k.id, 0]))), Object.keys(c.keep));
      assert.deepEqual(
        plan.remove.map((r) => r.id),
        c.remove,
      );
      // Every snapshot is in exactly one list.
      assert.equal(plan.keep.length + plan.remove.length, c.snapshots.length);
    });
  }

  it('does not depend on the order snapshots are given in', () => {
    const snapshots = daily('2024-01-01', 9);
    const a = planRetention(snapshots, { daily: 3, weekly: 2 });
    const b = planRetention([...snapshots].reverse(), { daily: 3, weekly: 2 });
    assert.deepEqual(a, b);
  });

  it('groups by host and paths by default, and by any subset of host, paths, tags', () => {
    const kept = (groupBy?: GroupBy) => planRetention(MIXED, { last: 1 }, groupBy).keep.map((k) => k.id);
    assert.deepEqual(kept(), ['h4', 'h3']);
    assert.deepEqual(kept(['tags']), ['h4', 'h3']);
    assert.deepEqual(kept(['host', 'tags']), ['h4', 'h3', 'h2', 'h1']);
    assert.deepEqual(kept([]), ['h4']);
    const plan = planRetention(MIXED, { last: 1 }, ['host']);
    assert.deepEqual(plan.groupBy, ['host']);
    assert.deepEqual(
      plan.groups.map((g) => g.key),
      [{ host: 'two' }, { host: 'one' }],
    );
    assert.deepEqual(formatPlan(plan).slice(0, 2), ['grouped by host', 'snapshots of host two:']);
  });

  it('counts --keep-within back from the newest snapshot that is not in the future', () => {
    const snapshots = at('2024-01-01T00:00Z', '2024-01-02T12:00Z', '2030-01-01T00:00Z');
    const plan = planRetention(snapshots, { within: D2 }, undefined, Date.parse('2024-01-03T00:00Z'));
    assert.deepEqual(
      plan.keep.map((k) => k.id),
      ['s2', 's1', 's0'],
    );
  });

  it('numbers ISO weeks as ISO 8601 does across year ends', () => {
    assert.equal(isoWeek(new Date('2024-12-30T00:00Z')), '2025-W01');
    assert.equal(isoWeek(new Date('2021-01-03T00:00Z')), '2020-W53');
    assert.equal(isoWeek(new Date('2024-01-01T00:00Z')), '2024-W01');
  });
});

describe('the retention flags', () => {
  it("parses restic's durations and prints them back", () => {
    assert.deepEqual(parseDuration('1y2m3d4h', '--keep-within'), { years: 1, months: 2, days: 3, hours: 4 });
    assert.deepEqual(parseDuration('36h', '--keep-within'), { years: 0, months: 0, days: 0, hours: 36 });
    assert.equal(formatDuration(parseDuration('2m1y', '--keep-within')), '1y2m');
    for (const bad of ['', '1w', 'y', '1.5d', '-1d', '1d ']) {
      assert.throws(() => parseDuration(bad, '--keep-within-daily'), /--keep-within-daily takes a duration/);
    }
  });

  it('turns the flags into a policy, and refuses what it cannot be', () => {
    assert.deepEqual(policyFromFlags({ keepLast: '2', keepWithinWeekly: '1m', keepTag: ['a,b', 'c'] }), {
      last: 2,
      withinRules: { weekly: { years: 0, months: 1, days: 0, hours: 0 } },
      tags: [['a', 'b'], ['c']],
    });
    assert.throws(() => policyFromFlags({ keepTag: [','] }), UsageError);
    assert.deepEqual(groupByFromFlag('tags,host'), ['host', 'tags']);
    assert.deepEqual(groupByFromFlag(''), []);
    assert.throws(() => groupByFromFlag('host,path'), /--group-by takes a list of host, paths, tags/);
  });

  it("--time takes ISO 8601 and restic's local format, not a time in the future", () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRecordedTime('2024-05-01T03:00:00Z', now), 1_714_532_400_000n * 1_000_000n);
    assert.equal(parseRecordedTime('2024-05-01T05:00:00+02:00', now), 1_714_532_400_000n * 1_000_000n);
    assert.equal(
      parseRecordedTime('2024-05-01 03:00:00', now),
      BigInt(new Date(2024, 4, 1, 3, 0, 0).getTime()) * 1_000_000n,
    );
    assert.throws(() => parseRecordedTime('2024-02-30 03:00:00', now), /--time takes a time/);
    assert.throws(() => parseRecordedTime('last tuesday', now), /--time takes a time/);
    assert.throws(() => parseRecordedTime('2025-06-01T00:00:00Z', now), /is in the future/);
  });
});
