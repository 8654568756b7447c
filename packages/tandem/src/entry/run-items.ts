/**
 * Inside a worker: runs one task over a job's argument lists, in order, stopping at the
 * first that throws. Shared by the job runner (threads, processes, inline) and the Redis
 * worker host, so both treat sync and async tasks, errors and partial results alike.
 *
 * It stays synchronous while every item is (no promise and no microtask per item, which is
 * what makes tiny tasks cheap) and returns a promise from the first item that returns one.
 */
import type { AnyFunction } from '../tasks.js';

/** The values of the items that finished, and what the next one threw, if one did. */
export type ItemsOutcome =
  | { readonly values: unknown[]; readonly failed: false }
  | { readonly values: unknown[]; readonly failed: true; readonly thrown: unknown };

export interface ItemHooks {
  /** Called before each wait on an async item (the job runner sends finished results then). */
  beforeWait?(): void;
  /** Asked before each item: an error stops the job there, as if that item had thrown it. */
  stopBefore?(): Error | undefined;
}

export function runItems(
  fn: AnyFunction,
  items: readonly (readonly unknown[])[],
  hooks: ItemHooks = {},
): ItemsOutcome | Promise<ItemsOutcome> {
  const values: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    let value: unknown;
    try {
      const stop = hooks.stopBefore?.();
      if (stop) return { values, failed: true, thrown: stop };
      value = fn(...(items[i] as unknown[]));
    } catch (thrown) {
      return { values, failed: true, thrown };
    }
    if (isThenable(value)) return finishAsync(fn, items, i, value, values, hooks);
    values.push(value);
  }
  return { values, failed: false };
}

async function finishAsync(
  fn: AnyFunction,
  items: readonly (readonly unknown[])[],
  index: number,
  pending: PromiseLike<unknown>,
  values: unknown[],
  hooks: ItemHooks,
): Promise<ItemsOutcome> {
  try {
    hooks.beforeWait?.();
    values.push(await pending);
    for (let i = index + 1; i < items.length; i++) {
      const stop = hooks.stopBefore?.();
      if (stop) return { values, failed: true, thrown: stop };
      let value = fn(...(items[i] as unknown[]));
      if (isThenable(value)) {
        hooks.beforeWait?.();
        value = await value;
      }
      values.push(value);
    }
  } catch (thrown) {
    return { values, failed: true, thrown };
  }
  return { values, failed: false };
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
