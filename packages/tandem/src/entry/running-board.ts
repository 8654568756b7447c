/**
 * Inside a worker: the three ways a runner tells the main side which job it is running.
 * Threads share memory (CONTROL_* slots); child processes write fixed frames to a pipe
 * (synchronously, so a frame is out before the next line of the task runs); the inline
 * backend keeps it in a plain variable.
 */
import { writeSync } from 'node:fs';
import { CONTROL_CURRENT_JOB, CONTROL_JOB_STARTED } from '../protocol.js';
import type { RunningJobBoard } from './job-runner.js';

/** Threads: see the layout comment in protocol.ts for why STARTED is stored before CURRENT. */
export class SharedBoard implements RunningJobBoard {
  private readonly slots: Int32Array;
  constructor(
    control: SharedArrayBuffer,
    private readonly epochMs: number,
  ) {
    this.slots = new Int32Array(control);
  }
  set(jobId: number, startedAtMs: number): void {
    Atomics.store(this.slots, CONTROL_JOB_STARTED, jobId === 0 ? 0 : startedAtMs - this.epochMs);
    Atomics.store(this.slots, CONTROL_CURRENT_JOB, jobId);
  }
  current(): number {
    return Atomics.load(this.slots, CONTROL_CURRENT_JOB);
  }
}

/** Bytes of one frame on the control pipe: [jobId, startedAtMs - epochMs] as Int32 (host order). */
export const PIPE_FRAME_BYTES = 8;

/** Child processes: one frame per job start on a pipe the parent reads (fd 4 of the child). */
export class PipeBoard implements RunningJobBoard {
  private readonly frame = new Int32Array(2);
  private readonly bytes = new Uint8Array(this.frame.buffer);
  private running = 0;
  constructor(
    private readonly fd: number,
    private readonly epochMs: number,
  ) {}
  set(jobId: number, startedAtMs: number): void {
    this.running = jobId;
    // Only starts go out (a pipe write is ~1 µs on each side of every round trip). A stale
    // "still running A" after A ended is harmless: the runner flushes A's result before it
    // goes idle and before the next await, and the parent reads every message before it
    // handles the exit, so A is no longer held. The one blind spot: a SIGKILL in the moment
    // between A's end and B's start, with A's result not yet sent, blames A instead of
    // running it again. Crashes and process.exit() report the exact job by message.
    if (jobId === 0) return;
    this.frame[0] = jobId;
    this.frame[1] = jobId === 0 ? 0 : startedAtMs - this.epochMs;
    writeSync(this.fd, this.bytes);
  }
  current(): number {
    return this.running;
  }
}

/** The inline backend: the main side reads it directly. */
export class LocalBoard implements RunningJobBoard {
  jobId = 0;
  startedAtMs = 0;
  set(jobId: number, startedAtMs: number): void {
    this.jobId = jobId;
    this.startedAtMs = startedAtMs;
  }
  current(): number {
    return this.jobId;
  }
}
