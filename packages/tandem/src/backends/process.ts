/**
 * The child-process backend: one `fork`ed Node process per worker, with advanced
 * serialization over IPC, real pids, exit codes and signals, and separate heaps.
 *
 * Which job the child is running arrives on a pipe (the child's fd 4) as fixed frames the
 * child writes synchronously (see entry/running-board.ts), so a child that dies without a
 * word still tells us what it was doing.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PIPE_FRAME_BYTES } from '../entry/running-board.js';
import type { MainToWorker, WorkerStartData, WorkerToMain } from '../protocol.js';
import { checkSendable } from '../util/check-sendable.js';
import {
  jobsInLanes,
  type SpawnOptions,
  type WorkerBackend,
  type WorkerHandle,
  type WorkerListener,
} from './backend.js';
import { trackChild } from './children.js';
import { relayLines } from './output-relay.js';

const PROCESS_ENTRY = fileURLToPath(new URL('../entry/process-worker.js', import.meta.url));

export class ProcessBackend implements WorkerBackend {
  readonly kind = 'process';
  readonly adaptivePipeline = true;
  readonly maxWorkers = Number.POSITIVE_INFINITY;

  /** Runs any task: module tasks and inline functions alike. */
  checkTask(): void {}
  constructor(private readonly options: SpawnOptions) {}

  spawn(start: WorkerStartData, listener: WorkerListener): WorkerHandle {
    const child = fork(PROCESS_ENTRY, [], {
      serialization: 'advanced',
      execArgv: [...(this.options.execArgv ?? process.execArgv), ...heapFlags(this.options)],
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
    });
    trackChild(child);
    const prefix = this.options.logPrefix ? `[${start.workerName}] ` : undefined;
    if (child.stdout) relayLines(child.stdout, process.stdout, prefix);
    if (child.stderr) relayLines(child.stderr, process.stderr, prefix);
    const running = watchControlPipe(child, start.epochMs);
    const gone = whenGone(child, (code) => listener.onExit(code));
    child.on('message', (message: WorkerToMain) => {
      if (message.type === 'bye') gone.saidBye();
      listener.onMessage(message);
    });
    child.on('error', (error) => listener.onError(error));
    child.send({ type: 'start', data: { ...start, control: undefined } });
    return {
      pid: child.pid ?? -1,
      threadId: undefined,
      send: (message: MainToWorker) => {
        checkSendable(message);
        if (child.connected) child.send(message);
      },
      ...jobsInLanes(() => running.filter((job) => job.id !== 0)),
      stop: (signal) => {
        if (child.exitCode === null && child.signalCode === null) signalChild(child, signal);
      },
      setKeepsParentAlive: (keep) => setRef(child, keep),
    };
  }
}

/**
 * SIGINT goes with process.kill, the others with child.kill. Deno (2.9) takes child.kill as
 * the child's end: it reports an exit by that signal at once and closes the IPC channel, so a
 * child that handles SIGINT (Process.interrupt()) would live on with no way to report back.
 * SIGTERM and SIGKILL end the child anyway, and there Deno needs child.kill: after a real
 * signal from outside it may never close the channel of a child that did not say 'bye', and
 * the pool would wait for that child for ever.
 */
function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (signal !== 'SIGINT' || child.pid === undefined) {
    child.kill(signal);
    return;
  }
  try {
    process.kill(child.pid, signal);
  } catch (error) {
    // ESRCH: it ended between the check and the signal; its exit is on the way.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function heapFlags(options: SpawnOptions): string[] {
  const limits = options.resourceLimits;
  if (!limits) return [];
  const flags: string[] = [];
  if (limits.maxOldGenerationSizeMb) flags.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits.maxYoungGenerationSizeMb) {
    flags.push(`--max-semi-space-size=${Math.max(1, Math.floor(limits.maxYoungGenerationSizeMb / 3))}`);
  }
  if (limits.stackSizeMb) flags.push(`--stack-size=${Math.floor(limits.stackSizeMb * 1024)}`);
  return flags;
}

/**
 * Calls `onGone` once the child is gone and everything it sent has arrived: at 'close', which
 * comes after its exit and the end of the IPC channel and every pipe. Deno (2.9) sometimes
 * never closes the IPC channel of a child that exited, so neither 'disconnect' nor 'close'
 * comes; a child that said 'bye' (its last message, protocol.ts) has sent everything, so its
 * exit and the end of its pipes are enough there.
 */
function whenGone(child: ChildProcess, onGone: (exitCode: number) => void): { saidBye(): void } {
  let done = false;
  let bye = false;
  let exit: number | undefined;
  const pipes = [child.stdout, child.stderr, child.stdio[4] as Readable | null].filter((p) => p !== null);
  let openPipes = pipes.length;
  const finish = (code: number) => {
    if (done) return;
    done = true;
    onGone(code);
  };
  const maybeGone = () => {
    if (!bye || exit === undefined || openPipes > 0) return;
    // The channel Deno left open would hold the program alive: close our end of it.
    if (child.connected) child.disconnect();
    finish(exit);
  };
  for (const pipe of pipes)
    pipe.once('close', () => {
      openPipes--;
      maybeGone();
    });
  child.once('exit', (code, signal) => {
    exit = exitCodeOf(code, signal);
    maybeGone();
  });
  child.on('close', (code, signal) => finish(exitCodeOf(code, signal)));
  return {
    saidBye: () => {
      bye = true;
      maybeGone();
    },
  };
}

/** -N for a signal, as Python reports it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return -(constants.signals[signal] ?? 1);
  return 1;
}

/** The job running in each lane of a child, as its frames on the control pipe say (the newest per lane wins). */
function watchControlPipe(child: ChildProcess, epochMs: number): { id: number; startedAtMs: number }[] {
  const lanes: { id: number; startedAtMs: number }[] = [];
  const pipe = child.stdio[4] as Readable | null;
  if (!pipe) return lanes;
  let pending: Buffer = Buffer.alloc(0);
  pipe.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const whole = pending.length - (pending.length % PIPE_FRAME_BYTES);
    for (let at = 0; at < whole; at += PIPE_FRAME_BYTES) {
      lanes[pending.readInt32LE(at)] = {
        id: pending.readInt32LE(at + 4),
        startedAtMs: epochMs + pending.readInt32LE(at + 8),
      };
    }
    pending = pending.subarray(whole);
  });
  return lanes;
}

/** Child processes hold the parent's event loop through the process handle, IPC and pipes. */
function setRef(child: ChildProcess, keep: boolean): void {
  const method = keep ? 'ref' : 'unref';
  child[method]();
  (child.channel as { [k: string]: () => void } | undefined)?.[method]?.();
  for (const stream of child.stdio)
    (stream as unknown as { [k: string]: (() => void) | undefined } | null)?.[method]?.();
}
