/**
 * Every error class tandem throws or rejects with. Each has a stable `code` so callers
 * can branch on it without matching message text.
 */

/** Base class of tandem's errors. */
export class TandemError extends Error {
  /** A stable, machine-readable identifier, e.g. `ERR_TANDEM_TIMEOUT`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A task threw (or rejected) inside a worker. The worker lives on. */
export class TaskError extends TandemError {
  /** `name` of the error thrown in the worker (e.g. `TypeError`). */
  readonly remoteName: string;
  /** The stack as printed in the worker, pointing into the task module. */
  readonly remoteStack: string | undefined;
  /** Name of the task (its export name, or `<inline>`). */
  readonly task: string;
  /** Index of the failing item within the call's input (map/imap), or 0 for apply. */
  readonly index: number;
  constructor(details: {
    task: string;
    index: number;
    remoteName: string;
    message: string;
    remoteStack?: string | undefined;
    cause?: unknown;
    remoteCode?: unknown;
  }) {
    super('ERR_TANDEM_TASK', `task ${details.task} failed: ${details.remoteName}: ${details.message}`, {
      cause: details.cause,
    });
    this.remoteName = details.remoteName;
    this.remoteStack = details.remoteStack;
    this.task = details.task;
    this.index = details.index;
    if (details.remoteCode !== undefined) this.remoteCode = details.remoteCode;
  }
  /** The `code` property of the remote error, if it had one (e.g. `ENOENT`). */
  remoteCode?: unknown;
}

/** An inline function could not run in a worker because it is not self-contained. */
export class InlineTaskError extends TandemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      'ERR_TANDEM_INLINE_TASK',
      `${message}. Inline functions run in another thread and must be self-contained: ` +
        'no closure variables, no imports. Move the function into a module and register it with ' +
        'defineTasks(import.meta.url, { ... }) instead.',
      options,
    );
  }
}

/**
 * An argument of a call cannot be sent to a worker: it holds something structured clone
 * cannot copy (a function, a symbol, a Promise, a WeakMap...), or its transfer list is
 * invalid. Only that call rejects; the pool and its other calls go on.
 */
export class ArgumentCloneError extends TandemError {
  /** Name of the task. */
  readonly task: string;
  /** Index of the item within the call's input (map/imap), or 0 for apply. */
  readonly index: number;
  /** Which argument of that item, or undefined when no single argument is to blame. */
  readonly argument: number | undefined;
  /** Where inside that argument, e.g. `.handler` or `[2].f`; '' for the argument itself. */
  readonly path: string;
  constructor(details: {
    task: string;
    index: number;
    argument: number | undefined;
    path: string;
    what: string;
    /** How to name the place instead of "argument A of item I" (e.g. a Process field). */
    where?: string;
    cause?: unknown;
  }) {
    const where =
      details.where ??
      (details.argument === undefined
        ? `item ${details.index}`
        : `argument ${details.argument}${details.path} of item ${details.index}`);
    super(
      'ERR_TANDEM_ARGUMENT_CLONE',
      `task ${details.task} cannot be sent to a worker: ${where} is ${details.what}. ` +
        'Arguments travel by structured clone: pass plain data (numbers, strings, arrays, plain objects, Maps, Sets, ' +
        'Dates, typed arrays) or tandem shared objects, and define functions in a task module',
      { cause: details.cause },
    );
    this.task = details.task;
    this.index = details.index;
    this.argument = details.argument;
    this.path = details.path;
  }
}

/**
 * A task returned a value that cannot be sent back from its worker (Python's
 * MaybeEncodingError). The task ran; its worker lives on and takes the next task.
 */
export class ResultCloneError extends TandemError {
  /** Name of the task. */
  readonly task: string;
  /** Index of the item within the call's input whose result could not be sent. */
  readonly index: number;
  constructor(details: { task: string; index: number; detail: string }) {
    super(
      'ERR_TANDEM_RESULT_CLONE',
      `task ${details.task}: the result of item ${details.index} cannot be sent back from the worker: ${details.detail}. ` +
        'Return plain data (numbers, strings, arrays, plain objects, Maps, Sets, Dates, typed arrays)',
    );
    this.task = details.task;
    this.index = details.index;
  }
}

/**
 * A Process was started or a Pool made while a worker was importing a task module (Python's
 * "attempt to start a new process before the current process has finished its bootstrapping
 * phase"): the module does so at its top level, so each worker importing it would start
 * more, without end. Guard the main module's code, or move the tasks to a module of their own.
 */
export class BootstrapError extends TandemError {
  /** The task module the worker was importing. */
  readonly moduleUrl: string;
  constructor(what: string, moduleUrl: string) {
    super(
      'ERR_TANDEM_BOOTSTRAP',
      `${what} was called while a worker was importing the task module ${moduleUrl}, before it finished bootstrapping: ` +
        'the module does this at its top level, so every worker importing it would start another, without end. ' +
        'Define tasks in a module of their own (recommended), or run the main code only in the main program: ' +
        'wrap it in `if (import.meta.main)` (Node >= 24.2) or `if (process.argv[1] === fileURLToPath(import.meta.url))`',
    );
    this.moduleUrl = moduleUrl;
  }
}

/** The worker running a task died (process.exit, uncaught error, out of memory, killed). */
export class WorkerExitError extends TandemError {
  /** The worker's exit code; for a signal on a child process, -N as in Python. */
  readonly exitCode: number;
  /** Name of the task the worker held when it died, if any. */
  readonly task: string | undefined;
  constructor(exitCode: number, task: string | undefined, options?: { cause?: unknown; detail?: string }) {
    const what = task === undefined ? 'a worker' : `the worker running task ${task}`;
    const why = options?.detail ? ` (${options.detail})` : '';
    super('ERR_TANDEM_WORKER_EXIT', `${what} exited with code ${exitCode}${why}`, options);
    this.exitCode = exitCode;
    this.task = task;
  }
}

/** The worker's initializer failed, so the pool cannot start workers. */
export class WorkerInitError extends TandemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TANDEM_WORKER_INIT', message, options);
  }
}

/** A call or a task ran past its time limit. */
export class TimeoutError extends TandemError {
  constructor(message: string) {
    super('ERR_TANDEM_TIMEOUT', message);
  }
}

/** A call was cancelled through its AbortSignal or AsyncResult.cancel(). */
export class AbortError extends TandemError {
  constructor(message = 'the call was aborted', options?: { cause?: unknown }) {
    super('ERR_TANDEM_ABORTED', message, options);
  }
}

/** Work was submitted to a pool after close() or terminate(), or was pending at terminate(). */
export class PoolClosedError extends TandemError {
  constructor(message = 'the pool is closed: create a new Pool to submit more work') {
    super('ERR_TANDEM_POOL_CLOSED', message);
  }
}

/** A submission would exceed the pool's `maxQueue`, or a bounded queue is full. */
export class QueueFullError extends TandemError {
  constructor(message: string) {
    super('ERR_TANDEM_QUEUE_FULL', message);
  }
}

/** A method was called when the object's state does not allow it (e.g. join() before close()). */
export class InvalidStateError extends TandemError {
  constructor(message: string) {
    super('ERR_TANDEM_INVALID_STATE', message);
  }
}

/** A queue had no item to give: `getNowait()`, or `get({ timeout })` ran out of time. */
export class QueueEmptyError extends TandemError {
  constructor(message: string) {
    super('ERR_TANDEM_QUEUE_EMPTY', message);
  }
}

/** The queue was closed: no more items may be put, and an empty closed queue gives none. */
export class QueueClosedError extends TandemError {
  constructor(message: string) {
    super('ERR_TANDEM_QUEUE_CLOSED', message);
  }
}

/**
 * The queue was shut down (Python 3.13's `queue.ShutDown`): put() fails from then on; get()
 * fails once the queue is empty, at once after `shutdown({ immediate: true })`.
 */
export class QueueShutDownError extends TandemError {
  constructor(message: string) {
    super('ERR_TANDEM_QUEUE_SHUT_DOWN', message);
  }
}

/**
 * recv() on a Connection whose other end was closed, once nothing is left to receive
 * (Python's EOFError from `Connection.recv()`).
 */
export class EOFError extends TandemError {
  constructor(message = 'the other end of the pipe was closed and nothing is left to receive') {
    super('ERR_TANDEM_EOF', message);
  }
}

/** send() on a Connection whose other end was closed: nobody will receive it (Python's BrokenPipeError). */
export class BrokenPipeError extends TandemError {
  constructor(message = 'the other end of the pipe was closed: nobody will receive what is sent') {
    super('ERR_TANDEM_BROKEN_PIPE', message);
  }
}

/** A Barrier was aborted or reset while this party waited, or was broken before it arrived. */
export class BrokenBarrierError extends TandemError {
  constructor(
    message = 'the barrier is broken: it was aborted, reset, or a party timed out; call reset() to reuse it',
  ) {
    super('ERR_TANDEM_BROKEN_BARRIER', message);
  }
}

/**
 * A synchronous member of a shared object (`.value`, `.array`, `waitSync`, `acquireSync`...)
 * was used where it cannot work: in a child process, where the object lives in the parent
 * (which shares no memory with it), or on the main thread, whose event loop must not block.
 * The message names the asynchronous member to use instead.
 */
export class SyncUnavailableError extends TandemError {
  /** The member that was called, e.g. `Lock.acquireSync()`. */
  readonly member: string;
  /** The asynchronous member to use instead, e.g. `await lock.acquire()`. */
  readonly instead: string;
  constructor(member: string, instead: string, reason: string) {
    super('ERR_TANDEM_SYNC_UNAVAILABLE', `${member} cannot be used here: ${reason}. Use ${instead} instead.`);
    this.member = member;
    this.instead = instead;
  }
}

/**
 * The Redis backend lost (or could not reach) Redis. It is the `cause` of the
 * WorkerExitError a pending task rejects with; the pool connects again on its next call.
 * The message names the server without its credentials.
 */
export class RedisConnectionError extends TandemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TANDEM_REDIS_CONNECTION', message, options);
  }
}

/**
 * A pool with `backend: 'redis'` (or `tandem worker`) ran where bullmq or ioredis is not
 * installed: they are optional peer dependencies, installed only by those who use Redis.
 */
export class RedisPackagesMissingError extends TandemError {
  /** The package that could not be found: `bullmq` or `ioredis`. */
  readonly packageName: string;
  constructor(packageName: string, options?: { cause?: unknown }) {
    super(
      'ERR_TANDEM_REDIS_PACKAGES_MISSING',
      `the Redis backend needs the packages bullmq and ioredis, and ${packageName} is not installed: ` +
        'run "npm install bullmq ioredis" in your project',
      options,
    );
    this.packageName = packageName;
  }
}

/**
 * The errors a member reached through the parent's broker may fail with: a worker rebuilds
 * them as their own class (entry/broker-client.ts), found by name (each error's `name` is its
 * class's name).
 */
export const BROKERED_ERRORS: readonly (new (message: string) => Error)[] = [
  BrokenBarrierError,
  BrokenPipeError,
  EOFError,
  InvalidStateError,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TimeoutError,
];
