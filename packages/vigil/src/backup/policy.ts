/**
 * The retention planner, a pure function as restic's ApplyPolicy: snapshots and keep rules
 * in, which snapshots are kept (and why) and which are removed out. Nothing here touches the
 * disk; `forget --dry-run` and `backup --dry-run` print exactly this plan.
 *
 * Semantics (restic's forget, >= 0.16): snapshots are grouped (by default by host and set of
 * paths; see GroupBy), and each group is planned alone. Walking a group from newest to
 * oldest:
 * - each count rule with count left keeps a snapshot whose bucket (hour, day, ISO week,
 *   month, year; for --keep-last, the snapshot itself) differs from the last bucket that rule
 *   kept, and counts down. A rule that still has count left when it reaches the group's
 *   oldest snapshot keeps that one too ("oldest daily snapshot"): the history reaches back
 *   as far as it can while the policy asks for more than there is;
 * - --keep-within D keeps every snapshot made within D of the group's newest (one not in the
 *   future); --keep-within-daily D (and hourly...) keeps the newest snapshot of each day within
 *   D, and the oldest snapshot if it falls within D;
 * - --keep-tag keeps every snapshot holding all tags of one of its tag lists.
 * A snapshot kept by no rule is removed. Buckets are taken in UTC, so a plan does not depend
 * on the machine's time zone (restic takes them in local time).
 */
import { durationBefore, formatDuration, isZeroDuration, type RetentionDuration } from './duration.js';

export const KEEP_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type KeepRule = (typeof KEEP_RULES)[number];
export const WITHIN_RULES = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type WithinRule = (typeof WITHIN_RULES)[number];

/** How many of each to keep (a missing rule keeps none by that rule), and the other rules. */
export type KeepPolicy = Partial<Record<KeepRule, number>> & {
  /** --keep-within: every snapshot within this of the group's newest. */
  readonly within?: RetentionDuration;
  /** --keep-within-hourly...yearly: the newest of each bucket within the duration. */
  readonly withinRules?: Partial<Record<WithinRule, RetentionDuration>>;
  /** --keep-tag: each a list of tags a snapshot must all hold to be kept. */
  readonly tags?: readonly (readonly string[])[];
};

export const GROUP_FIELDS = ['host', 'paths', 'tags'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];
/** What snapshots are grouped by (any subset; none: one group). */
export type GroupBy = readonly GroupField[];
export const DEFAULT_GROUP_BY: GroupBy = ['host', 'paths'];

export interface PlannedSnapshot {
  readonly id: string;
  /** ISO 8601 time of the snapshot. */
  readonly time: string;
  readonly sources: readonly string[];
  readonly host?: string;
  readonly tags?: readonly string[];
}

export interface PlanItem {
  readonly id: string;
  readonly time: string;
  /** Why it is kept, e.g. ["last snapshot", "daily snapshot"]; empty for a removed one. */
  readonly reasons: readonly string[];
}

/** One group's plan, with what its snapshots share (only the fields grouped by). */
export interface PlanGroup {
  readonly key: { readonly host?: string; readonly paths?: readonly string[]; readonly tags?: readonly string[] };
  /** Newest first. */
  readonly keep: readonly PlanItem[];
  /** Newest first. */
  readonly remove: readonly PlanItem[];
}

export interface RetentionPlan {
  readonly groupBy: GroupBy;
  readonly groups: readonly PlanGroup[];
  /** Every group's, newest first. */
  readonly keep: readonly PlanItem[];
  /** Every group's, newest first. */
  readonly remove: readonly PlanItem[];
}

export function isEmptyPolicy(policy: KeepPolicy): boolean {
  return (
    KEEP_RULES.every((rule) => (policy[rule] ?? 0) <= 0) &&
    isZeroDuration(policy.within) &&
    WITHIN_RULES.every((rule) => isZeroDuration(policy.withinRules?.[rule])) &&
    (policy.tags ?? []).length === 0
  );
}

const newestFirst = (a: { time: string; id: string }, b: { time: string; id: string }) =>
  Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id);

/** An empty policy keeps everything (forget without rules removes nothing). */
export function planRetention(
  snapshots: readonly PlannedSnapshot[],
  policy: KeepPolicy,
  groupBy: GroupBy = DEFAULT_GROUP_BY,
  now: number = Date.now(),
): RetentionPlan {
  const groups = new Map<string, { key: PlanGroup['key']; members: PlannedSnapshot[] }>();
  for (const snapshot of [...snapshots].sort(newestFirst)) {
    const key = groupKey(snapshot, groupBy);
    const text = JSON.stringify(key);
    const group = groups.get(text) ?? { key, members: [] };
    group.members.push(snapshot);
    groups.set(text, group);
  }
  const planned = [...groups.values()].map(({ key, members }) => planGroup(key, members, policy, now));
  return {
    groupBy,
    groups: planned,
    keep: planned.flatMap((g) => g.keep).sort(newestFirst),
    remove: planned.flatMap((g) => g.remove).sort(newestFirst),
  };
}

function groupKey(s: PlannedSnapshot, groupBy: GroupBy): PlanGroup['key'] {
  return {
    ...(groupBy.includes('host') ? { host: s.host ?? '' } : {}),
    ...(groupBy.includes('paths') ? { paths: [...s.sources].sort() } : {}),
    ...(groupBy.includes('tags') ? { tags: [...(s.tags ?? [])].sort() } : {}),
  };
}

/** One group, newest first. */
function planGroup(
  key: PlanGroup['key'],
  group: readonly PlannedSnapshot[],
  policy: KeepPolicy,
  now: number,
): PlanGroup {
  if (isEmptyPolicy(policy)) {
    return { key, keep: group.map((s) => ({ id: s.id, time: s.time, reasons: ['no policy'] })), remove: [] };
  }
  const keep: PlanItem[] = [];
  const remove: PlanItem[] = [];
  // restic counts durations back from the newest snapshot that is not in the future.
  // (With every snapshot in the future, restic's latest is the zero time: all are within.)
  const latest = group.reduce((max, s) => {
    const t = Date.parse(s.time);
    return t <= now && t > max ? t : max;
  }, Number.NEGATIVE_INFINITY);
  const cutoff = (d: RetentionDuration) =>
    latest === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : durationBefore(latest, d);
  const left = new Map<KeepRule, number>(KEEP_RULES.map((rule) => [rule, policy[rule] ?? 0]));
  const lastBucket = new Map<string, string>();
  group.forEach((snapshot, nr) => {
    const isOldest = nr === group.length - 1;
    const time = Date.parse(snapshot.time);
    const reasons: string[] = [];
    for (const tags of policy.tags ?? []) {
      if (tags.every((t) => snapshot.tags?.includes(t))) reasons.push(`has tags [${tags.join(', ')}]`);
    }
    if (!isZeroDuration(policy.within) && time > cutoff(policy.within as RetentionDuration)) {
      reasons.push(`within ${formatDuration(policy.within as RetentionDuration)}`);
    }
    for (const rule of KEEP_RULES) {
      if ((left.get(rule) ?? 0) <= 0) continue;
      const bucket = bucketOf(rule, snapshot);
      const sameBucket = bucket === lastBucket.get(rule);
      if (sameBucket && !isOldest) continue;
      lastBucket.set(rule, bucket);
      left.set(rule, (left.get(rule) ?? 0) - 1);
      reasons.push(`${sameBucket ? 'oldest ' : ''}${rule} snapshot`);
    }
    for (const rule of WITHIN_RULES) {
      const within = policy.withinRules?.[rule];
      if (within === undefined || isZeroDuration(within) || !(time > cutoff(within))) continue;
      const bucket = bucketOf(rule, snapshot);
      const sameBucket = bucket === lastBucket.get(`within-${rule}`);
      if (sameBucket && !isOldest) continue;
      lastBucket.set(`within-${rule}`, bucket);
      reasons.push(`${sameBucket ? 'oldest ' : ''}${rule} within ${formatDuration(within)}`);
    }
    const item = { id: snapshot.id, time: snapshot.time, reasons };
    if (reasons.length > 0) keep.push(item);
    else remove.push(item);
  });
  return { key, keep, remove };
}

function bucketOf(rule: KeepRule, snapshot: PlannedSnapshot): string {
  const t = new Date(snapshot.time);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + 1;
  const d = t.getUTCDate();
  switch (rule) {
    case 'last':
      return `${snapshot.id}@${snapshot.time}`;
    case 'hourly':
      return `${y}-${m}-${d}T${t.getUTCHours()}`;
    case 'daily':
      return `${y}-${m}-${d}`;
    case 'weekly':
      return isoWeek(t);
    case 'monthly':
      return `${y}-${m}`;
    case 'yearly':
      return `${y}`;
  }
}

/** ISO 8601 week, "2024-W01": weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(t: Date): string {
  const day = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
