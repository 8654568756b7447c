/**
 * The retention planner over synthetic timelines, table-driven: each case is a timeline, a
 * policy, and the golden plan (ids kept with their reasons; ids removed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoWeek, type KeepPolicy, type PlannedSnapshot, planRetention } from '../src/backup/policy.js';

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

  it('numbers ISO weeks as ISO 8601 does across year ends', () => {
    assert.equal(isoWeek(new Date('2024-12-30T00:00Z')), '2025-W01');
    assert.equal(isoWeek(new Date('2021-01-03T00:00Z')), '2020-W53');
    assert.equal(isoWeek(new Date('2024-01-01T00:00Z')), '2024-W01');
  });
});
