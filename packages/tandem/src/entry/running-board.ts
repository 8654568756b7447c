/**
 * Inside a worker: the three ways a runner tells the main side which jobs it is running, one
 * per lane (a worker runs up to `lanes` jobs at once; see protocol.ts). Threads share memory
 * (CONTROL_* slots); child processes write fixed frames to a pipe (synchronously, so a frame
 * is out before the next line of the task runs); the inline backend keeps plain arrays.
 */
import { writeSync } from 'node:fs';
import { CONTROL_CURRENT_JOB, CONTROL_JOB_STARTED, CONTROL_SLOTS_PER_LANE } from '../protocol.js';

/** Records, per lane, the job a worker runs there (0 for none) and when it started. */
export interface RunningJobBoard {
  set(lane: number, jobId: number, startedAtMs: number): void;
  /** The jobs running now, for a crash or exit report. */
  runningJobIds(): number[];
}

/** Threads: see the layout comment in protocol.ts for why STARTED is stored before CURRENT. */
export class SharedBoard implements RunningJobBoard {
  private readonly slots: Int32Array;
  constructor(
    control: SharedArrayBuffer,
    private readonly epochMs: number,
  ) {
    this.slots = new Int32Array(control);
  }
  set(lane: number, jobId: number, startedAtMs: number): void {
    const base = lane * CONTROL_SLOTS_PER_LANE;
    Atomics.store(this.slots, base + CONTROL_JOB_STARTED, jobId === 0 ? 0 : startedAtMs - this.epochMs);
    Atomics.store(this.slots, base + CONTROL_CURRENT_JOB, jobId);
  }
  runningJobIds(): number[] {
    return readLanes(this.slots, 0).map((job) => job.id);
  }
}

/** The jobs running in a control block's lanes (main side and worker side alike). */
export function readLanes(slots: Int32Array, epochMs: number): { id: number; startedAtMs: number }[] {
  const running: { id: number; startedAtMs: number }[] = [];
  for (let base = 0; base < slots.length; base += CONTROL_SLOTS_PER_LANE) {
    const id = Atomics.load(slots, base + CONTROL_CURRENT_JOB);
    if (id !== 0) running.push({ id, startedAtMs: epochMs + Atomics.load(slots, base + CONTROL_JOB_STARTED) });
  }
  return running;
}

/** Bytes of one frame on the control pipe: [lane, jobId, startedAtMs - epochMs] as Int32 (host order). */
export const PIPE_FRAME_BYTES = 12;

/** Child processes: one frame per job start on a pipe the parent reads (fd 4 of the child). */
export class PipeBoard implements RunningJobBoard {
  private readonly frame = new Int32Array(3);
  private readonly bytes = new Uint8Array(this.frame.buffer);
  private readonly running: number[] = [];
  constructor(
    private readonly fd: number,
    private readonly epochMs: number,
  ) {}
  set(lane: number, jobId: number, startedAtMs: number): void {
    this.running[lane] = jobId;
    // Only starts go out (a pipe write is ~1 µs on each side of every round trip). A stale
    // "still running A" in a lane after A ended is harmless: the runner flushes A's result
    // before it goes idle and before the next await, and the parent reads every message
    // before it handles the exit, so A is no longer held. The one blind spot: a SIGKILL in
    // the moment between A's end and its result being sent blames A instead of running it
    // again. Crashes and process.exit() report the exact jobs by message.
    if (jobId === 0) return;
    this.frame[0] = lane;
    this.frame[1] = jobId;
    this.frame[2] = startedAtMs - this.epochMs;
    writeSync(this.fd, this.bytes);
  }
  runningJobIds(): number[] {
    return this.running.filter((id) => id !== 0);
  }
}

/** The inline backend: the main side reads it directly. */
export class LocalBoard implements RunningJobBoard {
  readonly jobIds: number[] = [];
  readonly startedAtMs: number[] = [];
  set(lane: number, jobId: number, startedAtMs: number): void {
    this.jobIds[lane] = jobId;
    this.startedAtMs[lane] = startedAtMs;
  }
  runningJobIds(): number[] {
    return this.jobIds.filter((id) => id !== 0);
  }
  /** The jobs running now and since when. */
  running(): { id: number; startedAtMs: number }[] {
    const running: { id: number; startedAtMs: number }[] = [];
    this.jobIds.forEach((id, lane) => {
      if (id !== 0) running.push({ id, startedAtMs: this.startedAtMs[lane] as number });
    });
    return running;
  }
}
