/**
 * Scenario 2b: tandem only. The same tiny task over many items as one call per item
 * (apply) against tandem's own batching calls (map, imap, imapUnordered), default options,
 * on the backend of the run.
 */
import { createTandemAdapter } from '../adapters/tandem.ts';
import { allAtOnce, medians, push, rate, rotate, timeMs } from '../stats.ts';
import tasks from '../workers/tandem-tasks.ts';
import type { ScenarioContext } from './context.ts';

export type StreamVariant = 'apply' | 'map' | 'imap' | 'imapUnordered' | 'imapTuned';

export const STREAM_VARIANTS: readonly StreamVariant[] = ['apply', 'map', 'imap', 'imapUnordered', 'imapTuned'];

/** imap with options a user would pick for tiny items, to show how far the defaults are from them. */
export const TUNED_IMAP = { chunkSize: 1024, maxInFlight: 16_384 } as const;

export const STREAM_LABELS: Record<StreamVariant, string> = {
  apply: 'one apply per item',
  map: 'map',
  imap: 'imap',
  imapUnordered: 'imapUnordered',
  imapTuned: `imap, chunkSize ${TUNED_IMAP.chunkSize}, maxInFlight ${TUNED_IMAP.maxInFlight}`,
};

export interface StreamingFigures {
  readonly items: number;
  /** Median milliseconds for all items, per variant. */
  readonly ms: Record<StreamVariant, number>;
}

export async function measureStreaming(ctx: ScenarioContext): Promise<StreamingFigures> {
  const items = Array.from({ length: ctx.sizes.streamItems }, (_, i) => i);
  const times = new Map<StreamVariant, number[]>();
  for (let repeat = 0; repeat < ctx.repeats; repeat++) {
    for (const variant of rotate(STREAM_VARIANTS, repeat)) {
      const { pool, close } = createTandemAdapter(ctx.workers, ctx.backend);
      await allAtOnce(Math.min(20_000, Math.ceil(items.length / 10)), (i) => pool.apply(tasks.increment, [i]));
      await pool.map(tasks.increment, items.slice(0, 100_000));
      const ms = await timeMs(() => run(variant, pool, items));
      await close();
      push(times, variant, ms);
      ctx.log(
        `streaming  ${variant.padEnd(13)} ${items.length} items in ${ms.toFixed(0)} ms (${rate(items.length, ms)}/s)`,
      );
    }
  }
  return { items: items.length, ms: medians(times) };
}

async function run(variant: StreamVariant, pool: ReturnType<typeof createTandemAdapter>['pool'], items: number[]) {
  switch (variant) {
    case 'apply':
      return allAtOnce(items.length, (i) => pool.apply(tasks.increment, [items[i]!]));
    case 'map':
      return pool.map(tasks.increment, items);
    case 'imap':
    case 'imapUnordered':
      return drain(variant, pool[variant](tasks.increment, items), items.length);
    case 'imapTuned':
      return drain(variant, pool.imap(tasks.increment, items, TUNED_IMAP), items.length);
  }
}

async function drain(variant: StreamVariant, results: AsyncIterable<number>, expected: number): Promise<number> {
  let count = 0;
  for await (const _ of results) count++;
  if (count !== expected) throw new Error(`${variant} yielded ${count} of ${expected} results`);
  return count;
}
