/**
 * The parent's side of logging: every record from getLogger(), in any worker or on the main
 * thread, ends up in one pino logger. By default it writes JSON lines to stderr at level
 * info; `setLogger()` swaps in the application's own pino logger.
 *
 * pino because it is the structured logger of the Node ecosystem: JSON lines that log
 * processors understand, child loggers for bound fields, and a cheap disabled level check.
 */
import { createRequire } from 'node:module';
import type { Logger as PinoLogger } from 'pino';
import type { LogRecord } from '../protocol.js';

// pino is loaded on the first record, not with tandem: most programs never log from a
// worker, and loading pino took about a third of importing tandem (13 of 38 ms here).
const require = createRequire(import.meta.url);

let logger: PinoLogger | undefined;

/** Makes `target` the logger that receives every record from getLogger(), in workers too. */
export function setLogger(target: PinoLogger): void {
  logger = target;
}

/** The logger records go to (created on first use: pino at level info, to stderr). */
export function parentLogger(): PinoLogger {
  if (logger === undefined) {
    const { pino } = require('pino') as typeof import('pino');
    logger = pino({ level: process.env.TANDEM_LOG_LEVEL ?? 'info' }, pino.destination(2));
  }
  return logger;
}

/** Where a record came from. */
export interface LogOrigin {
  readonly worker: string | undefined;
  readonly pid: number;
  readonly threadId: number | undefined;
}

export function deliverLogRecord(record: LogRecord, origin: LogOrigin): void {
  const target = parentLogger();
  if (!target.isLevelEnabled(record.level)) return;
  // workerPid, not pid: pino's own `pid` (the parent's) is already on every line.
  const bound: Record<string, unknown> = { logger: record.logger, workerPid: origin.pid };
  if (origin.worker !== undefined) bound.worker = origin.worker;
  if (origin.threadId !== undefined) bound.threadId = origin.threadId;
  target[record.level]({ ...bound, ...record.fields, workerTime: record.time }, record.message);
}
