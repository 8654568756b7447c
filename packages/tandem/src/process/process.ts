/** Process: one named, long-lived worker running one function or a subclass's run(), as in Python. */
import type { ResourceLimits } from 'node:worker_threads';
import type { BackendKind, WorkerHandle } from '../backends/backend.js';
import { BACKEND_KINDS, createBackend, sharesMemory } from '../backends/select.js';
import { ArgumentCloneError, InvalidStateError } from '../errors.js';
import { deliverLogRecord } from '../logging/parent-logger.js';
import { taskSpecOf } from '../pool/task-spec.js';
import type { TaskSpec, WorkerToMain } from '../protocol.js';
import { serveBrokerCall } from '../shared/broker.js';
import { brokerClientGone } from '../shared/broker-registry.js';
import { type MarshalForm, marshalFields, marshalItems } from '../shared/marshal.js';
import type { AnyFunction } from '../tasks.js';
import { assertNotBootstrapping } from '../util/bootstrap.js';
import { checkOptionKind, checkOptionNames, checkStringArray, describeValue } from '../util/check-options.js';
import { findUncloneable } from '../util/uncloneable.js';
import { workerOrigin } from './identity.js';
import subclassTasks from './run-subclass.js';

/** Options of `new Process(...)`. */
export interface ProcessOptions<F extends AnyFunction = AnyFunction> {
  /** The function to run: a task from defineTasks, or a self-contained function. */
  target?: F;
  /** Arguments for `target`. */
  args?: Parameters<F>;
  /** Default: `Process-N`. */
  name?: string;
  /**
   * A daemon is stopped when its parent exits; the parent waits for a non-daemon.
   * Default false.
   */
  daemon?: boolean;
  /** `'thread'` (default), `'process'` (a child process: real pid, exit code, signals) or `'inline'`. */
  backend?: BackendKind;
  /** Start every line the process prints with `[name] `. */
  logPrefix?: boolean;
  resourceLimits?: ResourceLimits;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
}

const PROCESS_OPTIONS: readonly (keyof ProcessOptions)[] = [
  'target',
  'args',
  'name',
  'daemon',
  'backend',
  'logPrefix',
  'resourceLimits',
  'env',
  'execArgv',
];

let counter = 0;

/**
 * Processes this thread started and has not reaped: start() and activeChildren() drop those
 * that have ended, join() and close() drop their own (Python's `_children`).
 */
const children = new Set<Process>();

function reapChildren(): void {
  for (const child of children) if (child.exitCode !== null) children.delete(child);
}

/**
 * The Processes this thread started that are still running, as Python's active_children();
 * finished ones are reaped (forgotten) on the way. Pool workers are not listed: a pool
 * keeps its own (`pool.stats()`).
 */
export function activeChildren(): Process[] {
  reapChildren();
  return [...children];
}

/**
 * Runs `target(...args)` (or, in a subclass, `run()`) in its own worker.
 *
 * Subclassing works as in Python: the child gets an instance with the parent's fields and
 * calls run(). The class must be exported from its module and name that module with
 * `static moduleUrl = import.meta.url`. A field may hold anything structured-cloneable
 * (numbers, strings, plain objects, arrays, Maps, Sets, Dates, typed arrays...); functions
 * and class instances arrive as plain data, without their methods.
 *
 * @example
 * ```ts
 * const p = new Process({ target: tasks.worker, args: ['Worker1', 'New York'], backend: 'process' });
 * p.start();
 * await p.join();
 * console.log(p.exitCode); // 0
 * ```
 */
export class Process<F extends AnyFunction = AnyFunction> {
  /** Set by a subclass to its module's `import.meta.url`, so the child can import the class. */
  static moduleUrl: string | undefined;

  name: string;
  daemon: boolean;
  readonly #options: ProcessOptions<F>;
  #handle: WorkerHandle | undefined;
  #exitCode: number | null = null;
  #exited: Promise<void> | undefined;
  #closed = false;

  constructor(options: ProcessOptions<F> = {}) {
    counter++;
    this.name = options.name ?? `Process-${counter}`;
    this.daemon = options.daemon ?? false;
    if (options.backend !== undefined && !BACKEND_KINDS.includes(options.backend)) {
      throw new TypeError(`Process: unknown backend "${String(options.backend)}": use 'thread', 'process' or 'inline'`);
    }
    checkOptionNames('Process', options, PROCESS_OPTIONS);
    if (options.args !== undefined && !Array.isArray(options.args)) {
      throw new TypeError(
        `Process: option args must be an array of arguments for target, got ${describeValue(options.args)}`,
      );
    }
    checkOptionKind('Process', 'target', options.target, 'function');
    checkOptionKind('Process', 'name', options.name, 'string');
    checkOptionKind('Process', 'daemon', options.daemon, 'boolean');
    checkOptionKind('Process', 'logPrefix', options.logPrefix, 'boolean');
    checkOptionKind('Process', 'resourceLimits', options.resourceLimits, 'object');
    checkOptionKind('Process', 'env', options.env, 'object');
    checkStringArray('Process', 'execArgv', options.execArgv);
    this.#options = options;
  }

  /** What the child runs. The default calls `target(...args)`; subclasses override it. */
  run(): unknown {
    const target = this.#options.target;
    return target?.(...((this.#options.args ?? []) as unknown[]));
  }

  /** Starts the child. Throws InvalidStateError if called twice. */
  start(): void {
    this.#checkOpen('start()');
    if (this.#handle) throw new InvalidStateError(`${this.name} was already started: a Process can be started once`);
    assertNotBootstrapping(`Process.start() (${this.name})`);
    const options = this.#options;
    const { spec, args, shared, subclass } = this.#job(sharesMemory(options.backend ?? 'thread') ? 'memory' : 'broker');
    this.#checkSendable(args, subclass);
    const backend = createBackend(options.backend ?? 'thread', {
      resourceLimits: options.resourceLimits,
      env: options.env,
      execArgv: options.execArgv,
      name: this.name,
      logPrefix: options.logPrefix ?? false,
    });
    let exited!: () => void;
    this.#exited = new Promise((resolve) => {
      exited = resolve;
    });
    const handle = backend.spawn(
      {
        workerId: 1,
        workerName: this.name,
        mode: 'process',
        control: undefined,
        epochMs: Date.now(),
        lanes: 1,
        initializer: undefined,
        origin: workerOrigin(this.daemon, undefined),
      },
      {
        onMessage: (message) => this.#onMessage(message),
        onError: () => {},
        onExit: (code) => {
          brokerClientGone(handle);
          this.#exitCode = code;
          exited();
        },
      },
    );
    this.#handle = handle;
    reapChildren();
    children.add(this);
    const job = shared ? { id: 1, taskKey: 1, items: [args], shared } : { id: 1, taskKey: 1, items: [args] };
    handle.send({ type: 'run', defines: [{ key: 1, spec }], jobs: [job] }, []);
    handle.send({ type: 'close' }, []);
    // A non-daemon child keeps the parent alive until it ends; a daemon does not.
    handle.setKeepsParentAlive(!this.daemon);
  }

  /** The child's process id (the parent's own for the thread and inline backends); undefined before start(). */
  get pid(): number | undefined {
    this.#checkOpen('pid');
    return this.#handle?.pid;
  }

  /** The worker thread's id on the thread backend. */
  get threadId(): number | undefined {
    this.#checkOpen('threadId');
    return this.#handle?.threadId;
  }

  /**
   * null while running (or before start); n after process.exit(n); 0 after the target
   * returned; 1 after it threw; -N after signal N (terminate: -15, kill: -9), as Python.
   */
  get exitCode(): number | null {
    this.#checkOpen('exitCode');
    return this.#exitCode;
  }

  isAlive(): boolean {
    this.#checkOpen('isAlive()');
    return this.#handle !== undefined && this.#exitCode === null;
  }

  /** Resolves when the child has exited, or when `timeoutMs` has passed (without throwing). */
  async join(timeoutMs?: number): Promise<void> {
    this.#checkOpen('join()');
    if (!this.#exited) throw new InvalidStateError(`${this.name} cannot be joined before start()`);
    if (timeoutMs === undefined) {
      // A daemon's worker does not hold the event loop; one awaited by join() must, or the
      // program would end under the caller's await.
      const keepAlive = this.daemon ? setInterval(() => {}, 2 ** 30) : undefined;
      await this.#exited;
      clearInterval(keepAlive);
      children.delete(this);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.#exited, timeout]);
    clearTimeout(timer);
    if (this.#exitCode !== null) children.delete(this);
  }

  /** SIGTERM for a child process; a thread is terminated (exit code -15). */
  terminate(): void {
    this.#checkOpen('terminate()');
    if (this.isAlive()) this.#handle?.stop('SIGTERM');
  }

  /** SIGKILL for a child process; a thread is terminated (exit code -9). */
  kill(): void {
    this.#checkOpen('kill()');
    if (this.isAlive()) this.#handle?.stop('SIGKILL');
  }

  /**
   * SIGINT for a child process, as Python 3.14's `Process.interrupt()`: the target may handle
   * it (`process.on('SIGINT', ...)`, Python's KeyboardInterrupt) and go on or end as it
   * likes; without a handler the child ends with exit code -2. A thread or inline worker
   * cannot receive a signal: it is terminated (exit code -2).
   */
  interrupt(): void {
    this.#checkOpen('interrupt()');
    if (this.isAlive()) this.#handle?.stop('SIGINT');
  }

  /**
   * Releases what the Process object holds of its ended worker, as Python's `close()`: from
   * then on every member but `name` and `daemon` throws InvalidStateError. Throws
   * InvalidStateError while the worker still runs. Closing twice does nothing.
   */
  close(): void {
    if (this.#closed) return;
    if (this.#handle !== undefined && this.#exitCode === null) {
      throw new InvalidStateError(`${this.name} is still running: join() or terminate() it before close()`);
    }
    this.#closed = true;
    this.#handle = undefined;
    this.#exited = undefined;
    children.delete(this);
  }

  #checkOpen(member: string): void {
    if (this.#closed) throw new InvalidStateError(`${member} of ${this.name}, which was closed`);
  }

  /** What the child runs, with shared objects among the args or fields marshalled for its backend. */
  #job(form: MarshalForm): { spec: TaskSpec; args: readonly unknown[]; shared?: true; subclass: boolean } {
    const ctor = this.constructor as typeof Process;
    const overridesRun = ctor !== Process && ctor.prototype.run !== Process.prototype.run;
    if (!overridesRun) {
      const target = this.#options.target;
      if (!target) throw new TypeError(`${this.name}: give a target function, or subclass Process and override run()`);
      const args = [...((this.#options.args ?? []) as unknown[])];
      const marshalled = marshalItems([args], form)?.[0];
      return marshalled
        ? { spec: taskSpecOf(target), args: marshalled, shared: true, subclass: false }
        : { spec: taskSpecOf(target), args, subclass: false };
    }
    const moduleUrl = Object.hasOwn(ctor, 'moduleUrl') ? ctor.moduleUrl : undefined;
    if (!moduleUrl) {
      throw new InvalidStateError(
        `${ctor.name} overrides run() but has no static moduleUrl: add \`static override moduleUrl = import.meta.url;\` ` +
          'to the class and export it, so the child can import it',
      );
    }
    const fields = { ...this } as Record<string, unknown>;
    return {
      spec: taskSpecOf(subclassTasks.runSubclass),
      // Subclass fields are revived by runSubclass itself, which looks for descriptors in them.
      args: [moduleUrl, ctor.name, marshalFields(fields, form) ?? fields],
      subclass: true,
    };
  }

  /** Throws ArgumentCloneError, before anything starts, if the child could not be sent its arguments or fields. */
  #checkSendable(args: readonly unknown[], subclass: boolean): void {
    // A subclass's child gets [moduleUrl, className, fields]: only the fields are the user's.
    const checked = subclass ? [args[2]] : args;
    for (let a = 0; a < checked.length; a++) {
      const found = findUncloneable(checked[a]);
      if (found === undefined) continue;
      const className = this.constructor.name;
      throw new ArgumentCloneError({
        task: subclass ? `${className}.run` : this.#options.target?.name || '<target>',
        index: 0,
        argument: subclass ? undefined : a,
        path: found.path,
        what: found.what,
        ...(subclass ? { where: `field ${found.path.replace(/^\./, '')} of ${this.name}` } : {}),
      });
    }
  }

  #onMessage(message: WorkerToMain): void {
    if (message.type === 'brokerCall') {
      if (this.#handle) serveBrokerCall(this.#handle, message);
    } else if (message.type === 'log') {
      deliverLogRecord(message.record, {
        worker: this.name,
        pid: this.#handle?.pid ?? process.pid,
        threadId: this.threadId,
      });
    }
  }
}
