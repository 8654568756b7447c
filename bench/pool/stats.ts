/** Small statistics and timing helpers shared by the scenarios. */

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile of unsorted values (a copy is sorted). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Milliseconds taken by `fn`. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The list rotated left by `by`, so each repeat runs the libraries in a different order. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  const shift = by % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** Runs `count` calls at once and waits for all of them. */
export function allAtOnce(count: number, call: (i: number) => Promise<unknown>): Promise<unknown[]> {
  const calls: Promise<unknown>[] = new Array(count);
  for (let i = 0; i < count; i++) calls[i] = call(i);
  return Promise.all(calls);
}

/** Appends `value` to the list kept under `key`. */
export function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The median of each key's list. */
export function medians<K extends string>(map: Map<K, number[]>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const [key, values] of map) out[key] = median(values);
  return out;
}

/** Items per second, formatted with thousands separators. */
export function rate(items: number, ms: number): string {
  return Math.round((items / ms) * 1000).toLocaleString('en-US');
}
