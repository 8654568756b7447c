/**
 * The retention planner, a pure function as restic's ApplyPolicy: snapshots and keep rules
 * in, which snapshots are kept (and by which rules) and which are removed out. Nothing here
 * touches the disk; `forget --dry-run` prints exactly this plan.
 *
 * Semantics (restic's forget): snapshots are grouped by their set of sources, and each group
 * is planned alone. Walking a group from newest to oldest, each rule with count left keeps
 * a snapshot whose bucket (hour, day, ISO week, month, year; for --keep-last, the snapshot
 * itself) differs from the last bucket that rule kept, and counts down. So --keep-daily 7
 * keeps the newest snapshot of each of the 7 most recent days that have one. A snapshot
 * kept by no rule is removed. Buckets are taken in UTC, so a plan does not depend on the
 * machine's time zone.
 */

export const KEEP_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type KeepRule = (typeof KEEP_RULES)[number];

/** How many of each to keep; a missing rule keeps none by that rule. */
export type KeepPolicy = Partial<Record<KeepRule, number>>;

export interface PlannedSnapshot {
  readonly id: string;
  /** ISO 8601 time of the snapshot. */
  readonly time: string;
  readonly sources: readonly string[];
}

export interface PlanItem {
  readonly id: string;
  readonly time: string;
  /** Why it is kept, e.g. ["last snapshot", "daily snapshot"]; empty for a removed one. */
  readonly reasons: readonly string[];
}

export interface RetentionPlan {
  /** Newest first. */
  readonly keep: readonly PlanItem[];
  /** Newest first. */
  readonly remove: readonly PlanItem[];
}

export function isEmptyPolicy(policy: KeepPolicy): boolean {
  return KEEP_RULES.every((rule) => (policy[rule] ?? 0) <= 0);
}

/** An empty policy keeps everything (forget without rules removes nothing). */
export function planRetention(snapshots: readonly PlannedSnapshot[], policy: KeepPolicy): RetentionPlan {
  const keep: PlanItem[] = [];
  const remove: PlanItem[] = [];
  const newestFirst = [...snapshots].sort(
    (a, b) => Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id),
  );
  if (isEmptyPolicy(policy)) {
    return { keep: newestFirst.map((s) => ({ id: s.id, time: s.time, reasons: ['no policy'] })), remove: [] };
  }
  const groups = new Map<string, PlannedSnapshot[]>();
  for (const snapshot of newestFirst) {
    const key = JSON.stringify([...snapshot.sources].sort());
    const group = groups.get(key) ?? [];
    group.push(snapshot);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    const left = new Map<KeepRule, number>(KEEP_RULES.map((rule) => [rule, policy[rule] ?? 0]));
    const lastBucket = new Map<KeepRule, string>();
    for (const snapshot of group) {
      const reasons: string[] = [];
      for (const rule of KEEP_RULES) {
        if ((left.get(rule) ?? 0) <= 0) continue;
        const bucket = bucketOf(rule, snapshot);
        if (bucket === lastBucket.get(rule)) continue;
        lastBucket.set(rule, bucket);
        left.set(rule, (left.get(rule) ?? 0) - 1);
        reasons.push(REASON[rule]);
      }
      const item = { id: snapshot.id, time: snapshot.time, reasons };
      if (reasons.length > 0) keep.push(item);
      else remove.push(item);
    }
  }
  const newest = (a: PlanItem, b: PlanItem) => Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id);
  return { keep: keep.sort(newest), remove: remove.sort(newest) };
}

const REASON: Record<KeepRule, string> = {
  last: 'last snapshot',
  hourly: 'hourly snapshot',
  daily: 'daily snapshot',
  weekly: 'weekly snapshot',
  monthly: 'monthly snapshot',
  yearly: 'yearly snapshot',
};

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
