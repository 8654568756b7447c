/**
 * Finds what in a value stops it from crossing to a worker, for the error that says so.
 * Only called after a send has failed, so its cost (a structured clone per level it
 * descends) is paid on the error path alone.
 */

import { RESULT_CLONE_CODE, type SerializedError } from '../protocol.js';

/** Where the first uncloneable part sits, e.g. `.f` or `[2].get("k")`, and what it is. */
export interface Uncloneable {
  /** '' when the value itself cannot be cloned. */
  readonly path: string;
  readonly what: string;
}

/** The first part of `value` that structuredClone refuses, or undefined if it clones. */
export function findUncloneable(value: unknown): Uncloneable | undefined {
  return search(value, '', new Set());
}

/**
 * A worker's results that could not be sent: the values before the first that cannot be
 * cloned, and the error to send for that item (the main side makes it a ResultCloneError).
 */
export function splitUnsendable(
  values: readonly unknown[],
  cause: unknown,
): { values: unknown[]; error: SerializedError } {
  let detail = cause instanceof Error ? cause.message : String(cause);
  let sendable = 0;
  for (; sendable < values.length; sendable++) {
    const found = findUncloneable(values[sendable]);
    if (found) {
      detail = found.path === '' ? `it is ${found.what}` : `its part ${found.path} is ${found.what}`;
      break;
    }
  }
  return {
    values: values.slice(0, sendable),
    error: { name: 'ResultCloneError', message: detail, stack: undefined, code: RESULT_CLONE_CODE },
  };
}

function search(value: unknown, path: string, seen: Set<object>): Uncloneable | undefined {
  const refusal = cloneRefusal(value);
  if (refusal === undefined) return undefined;
  if (typeof value === 'function') return { path, what: describeFunction(value as (...args: never) => unknown) };
  if (typeof value === 'symbol') return { path, what: `a symbol (${String(value)})` };
  if (value === null || typeof value !== 'object' || seen.has(value)) return { path, what: refusal };
  seen.add(value);
  for (const [childPath, child] of children(value)) {
    const found = search(child, path + childPath, seen);
    if (found) return found;
  }
  return { path, what: `${kindOf(value)} (${refusal})` };
}

/** structuredClone's complaint about `value`, or undefined if it clones. */
function cloneRefusal(value: unknown): string | undefined {
  try {
    structuredClone(value);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function* children(value: object): Iterable<[string, unknown]> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield [`[${i}]`, value[i]];
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      yield [`.keys()<${describeKey(key)}>`, key];
      yield [`.get(${describeKey(key)})`, item];
    }
  } else if (value instanceof Set) {
    let i = 0;
    for (const item of value) yield [`<set item ${i++}>`, item];
  } else {
    for (const key of Object.keys(value)) {
      yield [
        /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`,
        (value as Record<string, unknown>)[key],
      ];
    }
  }
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') return String(key);
  return kindOf(key);
}

function describeFunction(fn: (...args: never) => unknown): string {
  return fn.name ? `a function (${fn.name})` : 'a function';
}

function kindOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
}
