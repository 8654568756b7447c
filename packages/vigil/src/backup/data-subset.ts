/**
 * `vigil verify --read-data-subset`, with restic's meaning: `N/M` reads the N-th of M groups
 * of packs, a pack being in group (first byte of its id mod M) + 1, so that running 1/M to
 * M/M (one a night, say) reads every pack once; `P%` reads a random P percent of the packs
 * (at least one when there are any). Pure but for the random choice, which a test can fix.
 */
import { randomInt } from 'node:crypto';
import { UsageError } from '../errors.js';

export type DataSubset =
  | { readonly kind: 'group'; readonly n: number; readonly m: number }
  | { readonly kind: 'percent'; readonly percent: number };

/** The most groups: a pack's group comes from the first byte of its id. */
export const MAX_GROUPS = 256;

export function parseDataSubset(text: string): DataSubset {
  const group = /^(\d+)\/(\d+)$/.exec(text);
  if (group) {
    const n = Number(group[1]);
    const m = Number(group[2]);
    if (m < 1 || m > MAX_GROUPS || n < 1 || n > m) {
      throw new UsageError(
        `--read-data-subset ${text}: N/M needs 1 <= N <= M <= ${MAX_GROUPS} (e.g. 1/7, then 2/7 ... 7/7)`,
      );
    }
    return { kind: 'group', n, m };
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const p = Number(percent[1]);
    if (!(p > 0 && p <= 100)) throw new UsageError(`--read-data-subset ${text}: P% needs 0 < P <= 100`);
    return { kind: 'percent', percent: p };
  }
  throw new UsageError(`--read-data-subset ${JSON.stringify(text)}: give N/M (the N-th of M groups) or P% (e.g. 10%)`);
}

/** The packs of `packIds` (64 hex digits each) that the subset reads. */
export function selectPacks(
  subset: DataSubset,
  packIds: readonly string[],
  random: (below: number) => number = randomInt,
): Set<string> {
  if (subset.kind === 'group') {
    return new Set(packIds.filter((id) => Number.parseInt(id.slice(0, 2), 16) % subset.m === subset.n - 1));
  }
  const wanted = packIds.length === 0 ? 0 : Math.max(1, Math.floor((packIds.length * subset.percent) / 100));
  // A partial Fisher-Yates shuffle: the first `wanted` places get a uniform random choice.
  const ids = [...packIds];
  for (let i = 0; i < wanted; i++) {
    const j = i + random(ids.length - i);
    [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
  }
  return new Set(ids.slice(0, wanted));
}

export function describeSubset(subset: DataSubset): string {
  return subset.kind === 'group' ? `group ${subset.n} of ${subset.m}` : `${subset.percent}% at random`;
}
