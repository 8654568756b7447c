/**
 * What a tandem job on BullMQ carries, shared by the caller (backends/redis.ts) and the
 * worker host (redis/worker-host.ts).
 *
 * BullMQ stores job data and return values as JSON. Arguments and results are packed with
 * v8.serialize (base64 inside the JSON), so Maps, Sets, Dates, typed arrays, BigInts and
 * errors arrive as they do on the process backend; the task's module path and name stay
 * plain JSON so a job can be read in Redis. Both sides must run Node lines that read each
 * other's serialization (a newer Node reads an older one's).
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
  /** base64 of v8.serialize(argument lists). */
  readonly items: string;
}

/** The outcome of one job, packed as the BullMQ job's return value. */
export interface RedisJobResult {
  readonly values: unknown[];
  /** Set when the item at index `values.length` failed. */
  readonly error?: SerializedError;
  readonly runMicros: number;
}

export function pack(value: unknown): string {
  return serialize(value).toString('base64');
}

export function unpack<T>(text: string): T {
  return deserialize(Buffer.from(text, 'base64')) as T;
}

/** The pub/sub channel on which callers ask workers to stop an active job. */
export function cancelChannel(queue: string): string {
  return `${BULL_PREFIX}:${queue}:tandem:cancel`;
}
