/** The --keep-* flags of backup and forget, checked and turned into a KeepPolicy. */
import { UsageError } from '../errors.js';
import { count } from '../report/plural.js';
import { KEEP_RULES, type KeepPolicy, type RetentionPlan } from './policy.js';

export type KeepFlags = Partial<Record<`keep${Capitalize<(typeof KEEP_RULES)[number]>}`, string>>;

export function policyFromFlags(flags: KeepFlags): KeepPolicy {
  const policy: KeepPolicy = {};
  for (const rule of KEEP_RULES) {
    const flag = `keep${rule[0]?.toUpperCase()}${rule.slice(1)}` as keyof KeepFlags;
    const value = flags[flag];
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`--keep-${rule} must be a whole number of 1 or more, got "${value}"`);
    policy[rule] = n;
  }
  return policy;
}

/** The plan as text: one line per snapshot, with the reasons it is kept. */
export function formatPlan(plan: RetentionPlan): string[] {
  const lines: string[] = [];
  lines.push(`keep ${count(plan.keep.length, 'snapshot')}:`);
  for (const item of plan.keep) lines.push(`  ${item.id.slice(0, 8)}  ${item.time}  ${item.reasons.join(', ')}`);
  lines.push(`remove ${count(plan.remove.length, 'snapshot')}:`);
  for (const item of plan.remove) lines.push(`  ${item.id.slice(0, 8)}  ${item.time}`);
  return lines;
}
