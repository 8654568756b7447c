/**
 * What a tandem job on BullMQ carries, shared by the caller (backends/redis.ts) and the
 * worker host (redis/worker-host.ts).
 *
 * BullMQ stores job data and return values as JSON. Arguments and results travel in one of
 * two encodings, chosen per job by the side that sends them:
 * - plain JSON (`args`, or a result object) when every value survives JSON unchanged
 *   (finite numbers other than -0, strings, booleans, null, dense arrays and plain objects
 *   without undefined members): the common case, and the cheapest for both sides and Redis;
 * - v8.serialize, base64 inside the JSON (`items`, or a result string) for everything else,
 *   so Maps, Sets, Dates, typed arrays, BigInts and errors arrive as they do on the process
 *   backend. Both sides must run Node lines that read each other's serialization (a newer
 *   Node reads an older one's).
 * The task's module path and name are always plain JSON, so a job can be read in Redis.
 */
import { deserialize, serialize } from 'node:v8';
import type { SerializedError } from '../protocol.js';

/** BullMQ's job name for tandem jobs. */
export const TANDEM_JOB_NAME = 'tandem';
/** BullMQ's default key prefix, which both sides use. */
export const BULL_PREFIX = 'bull';

/** The data of one job: one chunk of one task. */
export interface RedisJobData {
  /** Format version. */
  readonly v: 1;
  /** The task module's path relative to the worker's root, with '/' separators. */
  readonly module: string;
  /** The task's name in the module's defineTasks table. */
  readonly name: string;
  /** The argument lists as plain JSON, when they survive it unchanged. */
  readonly args?: unknown[][];
  /** Otherwise base64 of v8.serialize(argument lists). */
  readonly items?: string;
  /**
   * The caller times this job (the pool has a taskTimeout): the worker host says when the
   * task starts, once its module is imported and its arguments decoded, by setting the job's
   * progress to STARTED_PROGRESS. Untimed jobs skip that Redis write.
   */
  readonly reportStart?: true;
}

/** The progress a worker host sets on a job whose task started (see RedisJobData.reportStart). */
export const STARTED_PROGRESS = 'tandem:started';

/** The outcome of one job. */
export interface RedisJobResult {
  readonly values: unknown[];
  /** Set when the item at index `values.length` failed. */
  readonly error?: SerializedError;
  readonly runMicros: number;
}

/** A job's BullMQ return value: a result as plain JSON, or base64 of its v8 serialization. */
export type PackedJobResult = RedisJobResult | string;

/** Past this many values, checking for plain JSON costs more than it may save: use v8. */
const PLAIN_CHECK_BUDGET = 4096;

/** The argument lists of a job, in the cheapest encoding that keeps them exact. */
export function encodeArgs(items: unknown[][]): Pick<RedisJobData, 'args' | 'items'> {
  return isPlainJson(items) ? { args: items } : { items: pack(items) };
}

export function decodeArgs(data: RedisJobData): unknown[][] {
  if (Array.isArray(data.args)) return data.args;
  if (typeof data.items === 'string') return unpack<unknown[][]>(data.items);
  throw new TypeError('the job carries no argument lists (neither args nor items)');
}

export function encodeResult(result: RedisJobResult): PackedJobResult {
  return isPlainJson(result) ? result : pack(result);
}

export function decodeResult(returned: unknown): RedisJobResult {
  if (typeof returned === 'string') return unpack<RedisJobResult>(returned);
  const result = returned as RedisJobResult | null;
  if (result === null || typeof result !== 'object' || !Array.isArray(result.values)) {
    throw new TypeError(`not a tandem result: ${JSON.stringify(returned)?.slice(0, 80)}`);
  }
  return result;
}

function pack(value: unknown): string {
  return serialize(value).toString('base64');
}

function unpack<T>(text: string): T {
  return deserialize(Buffer.from(text, 'base64')) as T;
}

/**
 * Whether JSON.parse(JSON.stringify(value)) would give back an equal value, checked within
 * a budget of values (so a cycle, or a huge value, falls back to v8 rather than looping).
 */
export function isPlainJson(value: unknown): boolean {
  let budget = PLAIN_CHECK_BUDGET;
  const check = (v: unknown): boolean => {
    if (--budget < 0) return false;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return true;
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0);
      case 'object': {
        if (v === null) return true;
        if (Array.isArray(v)) {
          if (Object.getPrototypeOf(v) !== Array.prototype) return false;
          for (let i = 0; i < v.length; i++) if (!check(v[i])) return false;
          return true;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) return false;
        for (const key in v) if (!check((v as Record<string, unknown>)[key])) return false;
        return true;
      }
      default:
        return false; // undefined, bigint, symbol, function
    }
  };
  return check(value);
}

/** The pub/sub channel on which callers ask workers to stop an active job. */
export function cancelChannel(queue: string): string {
  return `${BULL_PREFIX}:${queue}:tandem:cancel`;
}
