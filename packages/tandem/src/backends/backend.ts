/**
 * The one interface every backend implements. The scheduler talks only to this; the
 * backend is chosen in exactly one place (backends/select.ts).
 */
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import type { MainToWorker, WorkerStartData, WorkerToMain } from '../protocol.js';

/** What the scheduler hears from one worker. */
export interface WorkerListener {
  onMessage(message: WorkerToMain): void;
  /** An error the runtime reported for the worker (e.g. out of memory); exit follows. */
  onError(error: Error): void;
  /**
   * The worker is gone. Called once, after every message it sent has been delivered.
   * `exitCode` is -N when a child process was killed by signal N.
   */
  onExit(exitCode: number): void;
}

/** The main side's handle on one running worker. */
export interface WorkerHandle {
  /** Thread id or process id. */
  readonly systemId: number;
  send(message: MainToWorker, transfer: readonly TransferListItem[]): void;
  /** The job the worker is running now and when it started (Date.now() ms), if any. */
  runningJob(): { readonly id: number; readonly startedAtMs: number } | undefined;
  /** Stops the worker at once; onExit follows. */
  terminate(): void;
  /** Whether the worker keeps the parent's event loop alive (busy workers do, idle ones not). */
  setKeepsParentAlive(keep: boolean): void;
}

export interface WorkerBackend {
  readonly kind: BackendKind;
  spawn(start: WorkerStartData, listener: WorkerListener): WorkerHandle;
}

export type BackendKind = 'thread';

/** Options every spawning backend understands. */
export interface SpawnOptions {
  readonly resourceLimits: ResourceLimits | undefined;
  readonly env: NodeJS.ProcessEnv | undefined;
  readonly execArgv: string[] | undefined;
  readonly name: string;
}
