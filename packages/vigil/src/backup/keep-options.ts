/** The --keep-* and --group-by flags of backup and forget, checked and turned into a KeepPolicy; the plan as text. */
import { UsageError } from '../errors.js';
import { count } from '../report/plural.js';
import { parseDuration, type RetentionDuration } from './duration.js';
import {
  GROUP_FIELDS,
  type GroupBy,
  type GroupField,
  KEEP_RULES,
  type KeepPolicy,
  type PlanGroup,
  type RetentionPlan,
  WITHIN_RULES,
  type WithinRule,
} from './policy.js';
import { shortId } from './snapshots.js';

type Capital<S extends string> = Capitalize<S>;
export type KeepFlags = Partial<Record<`keep${Capital<(typeof KEEP_RULES)[number]>}`, string>> &
  Partial<Record<`keepWithin${Capital<WithinRule>}`, string>> & {
    readonly keepWithin?: string;
    readonly keepTag?: readonly string[];
    readonly groupBy?: string;
  };

const capital = <S extends string>(s: S) => `${s[0]?.toUpperCase()}${s.slice(1)}` as Capital<S>;

export function policyFromFlags(flags: KeepFlags): KeepPolicy {
  const policy: { -readonly [K in keyof KeepPolicy]: KeepPolicy[K] } = {};
  for (const rule of KEEP_RULES) {
    const value = flags[`keep${capital(rule)}`];
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--keep-${rule} must be a whole number of 1 or more, got "${value}"`);
    policy[rule] = n;
  }
  if (flags.keepWithin !== undefined) policy.within = parseDuration(flags.keepWithin, '--keep-within');
  const withinRules: Partial<Record<WithinRule, RetentionDuration>> = {};
  for (const rule of WITHIN_RULES) {
    const value = flags[`keepWithin${capital(rule)}`];
    if (value !== undefined) withinRules[rule] = parseDuration(value, `--keep-within-${rule}`);
  }
  if (Object.keys(withinRules).length > 0) policy.withinRules = withinRules;
  if (flags.keepTag !== undefined && flags.keepTag.length > 0) {
    policy.tags = flags.keepTag.map((list) => {
      const tags = list.split(',').filter((t) => t !== '');
      if (tags.length === 0) throw new UsageError(`--keep-tag takes a tag or a list of tags a,b; got "${list}"`);
      return tags;
    });
  }
  return policy;
}

/** --group-by: a comma-separated subset of host, paths, tags ('' groups all snapshots together). */
export function groupByFromFlag(value: string | undefined): GroupBy | undefined {
  if (value === undefined) return undefined;
  const fields = value.split(',').filter((f) => f !== '');
  for (const field of fields) {
    if (!(GROUP_FIELDS as readonly string[]).includes(field)) {
      throw new UsageError(`--group-by takes a list of ${GROUP_FIELDS.join(', ')} (e.g. host,paths), got "${field}"`);
    }
  }
  return GROUP_FIELDS.filter((f) => fields.includes(f)) as GroupField[];
}

/** The id as people see it: 8 hex digits, or a label such as "(new)" as it is. */
const shown = (id: string) => (/^[0-9a-f]{64}$/.test(id) ? shortId(id) : id.padEnd(8));

function groupTitle(group: PlanGroup): string {
  const parts: string[] = [];
  if (group.key.host !== undefined) parts.push(`host ${group.key.host}`);
  if (group.key.paths !== undefined) parts.push(`paths ${group.key.paths.join(', ')}`);
  if (group.key.tags !== undefined)
    parts.push(`tags ${group.key.tags.length > 0 ? group.key.tags.join(', ') : '(none)'}`);
  return parts.length > 0 ? `snapshots of ${parts.join('; ')}:` : 'all snapshots:';
}

/** The plan as text: what it grouped by, then per group one line per snapshot, with the reasons it is kept. */
export function formatPlan(plan: RetentionPlan): string[] {
  const lines = [`grouped by ${plan.groupBy.length > 0 ? plan.groupBy.join(',') : 'nothing (one group)'}`];
  for (const group of plan.groups) {
    lines.push(groupTitle(group));
    lines.push(`keep ${count(group.keep.length, 'snapshot')}:`);
    for (const item of group.keep) lines.push(`  ${shown(item.id)}  ${item.time}  ${item.reasons.join(', ')}`);
    lines.push(`remove ${count(group.remove.length, 'snapshot')}:`);
    for (const item of group.remove) lines.push(`  ${shown(item.id)}  ${item.time}`);
  }
  if (plan.groups.length === 0) lines.push('no snapshots');
  return lines;
}
