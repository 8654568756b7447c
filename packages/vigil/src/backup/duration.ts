/**
 * restic's retention durations ("1y2m3d4h": years, months, days, hours, each optional, in any
 * order), for --keep-within and --keep-within-*. A duration is counted back from the newest
 * snapshot of a group by calendar (as Go's AddDate does: 1m back from 31 March is 3 March).
 */
import { UsageError } from '../errors.js';

export interface RetentionDuration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

const UNITS = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;

/** Parses "1y2m3d4h" (restic's syntax); `flag` names the option in the error. */
export function parseDuration(value: string, flag: string): RetentionDuration {
  const parts = value.match(/\d+[ymdh]/g);
  if (parts === null || parts.join('') !== value) {
    throw new UsageError(`${flag} takes a duration such as 1y2m3d4h (years, months, days, hours), got "${value}"`);
  }
  const out = { years: 0, months: 0, days: 0, hours: 0 };
  for (const part of parts) {
    const n = Number(part.slice(0, -1));
    if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: "${part}" is too large`);
    out[UNITS[part.at(-1) as keyof typeof UNITS]] += n;
  }
  return out;
}

/** As restic prints it: "1y2m", "7d"; "0h" for nothing. */
export function formatDuration(d: RetentionDuration): string {
  const text = (['y', 'm', 'd', 'h'] as const)
    .map((unit) => (d[UNITS[unit]] > 0 ? `${d[UNITS[unit]]}${unit}` : ''))
    .join('');
  return text === '' ? '0h' : text;
}

export function isZeroDuration(d: RetentionDuration | undefined): boolean {
  return d === undefined || (d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0);
}

/** The instant `d` before `ms` (ms since the epoch), in UTC. */
export function durationBefore(ms: number, d: RetentionDuration): number {
  const t = new Date(ms);
  return Date.UTC(
    t.getUTCFullYear() - d.years,
    t.getUTCMonth() - d.months,
    t.getUTCDate() - d.days,
    t.getUTCHours() - d.hours,
    t.getUTCMinutes(),
    t.getUTCSeconds(),
    t.getUTCMilliseconds(),
  );
}
