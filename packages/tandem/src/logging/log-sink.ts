/**
 * Where getLogger() records go from this thread. Inside a worker the entry sets a sink that
 * sends them to the parent; on the main thread there is none and records go straight to
 * the parent logger.
 */
import type { LogRecord } from '../protocol.js';

let sink: ((record: LogRecord) => void) | undefined;
let workerName: string | undefined;

/** @internal Called by the worker entry. */
export function setLogSink(send: (record: LogRecord) => void, name: string): void {
  sink = send;
  workerName = name;
}

export function currentLogSink(): ((record: LogRecord) => void) | undefined {
  return sink;
}

/** The name of the worker this code runs in, or undefined on the main thread. */
export function currentWorkerName(): string | undefined {
  return workerName;
}
