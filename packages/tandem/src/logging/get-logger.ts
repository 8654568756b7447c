/**
 * getLogger(name): a logger that works the same on the main thread and inside any worker,
 * with no configuration in the worker: records travel to the parent's logger.
 */
import { threadId } from 'node:worker_threads';
import type { LogLevel } from '../protocol.js';
import { currentLogSink, currentWorkerName } from './log-sink.js';
import { deliverLogRecord } from './parent-logger.js';

type LogMethod = {
  (message: string): void;
  (fields: Record<string, unknown>, message?: string): void;
};

/** A named logger; each method takes a message, or fields and a message, as pino does. */
export interface Logger {
  readonly name: string;
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * Returns a logger whose records reach the parent's pino logger (see setLogger), tagged
 * with the logger name, the worker's name, its pid and thread id.
 *
 * @example
 * ```ts
 * const log = getLogger('walker');
 * log.info({ files: 12 }, 'directory done');
 * ```
 */
export function getLogger(name: string): Logger {
  const logger = { name } as Logger;
  for (const level of LEVELS) {
    logger[level] = (first: string | Record<string, unknown>, second?: string) => {
      const message = typeof first === 'string' ? first : (second ?? '');
      const fields = typeof first === 'string' ? undefined : serialisable(first);
      const record = { level, logger: name, message, fields, time: Date.now() };
      const sink = currentLogSink();
      if (sink) sink(record);
      else deliverLogRecord(record, { worker: currentWorkerName(), pid: process.pid, threadId: threadId || undefined });
    };
  }
  return Object.freeze(logger);
}

/** Errors do not survive structured cloning with their stack; flatten them. */
function serialisable(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) {
      copy ??= { ...fields };
      copy[key] = { type: value.name, message: value.message, stack: value.stack };
    }
  }
  return copy ?? fields;
}
