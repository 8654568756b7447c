/** The main side's record of one worker: what it holds, what it knows, how it is doing. */
import type { TransferListItem } from 'node:worker_threads';
import type { WorkerBackend, WorkerHandle } from '../backends/backend.js';
import { deliverLogRecord } from '../logging/parent-logger.js';
import { workerOrigin } from '../process/identity.js';
import type { JobMessage, TaskDefinition, WorkerStartData, WorkerToMain } from '../protocol.js';
import { deserializeError } from '../util/remote-error.js';
import type { Job } from './job.js';

/** How long a worker asked to exit may take before it is terminated. */
const GRACEFUL_EXIT_MS = 5000;

export type SlotState = 'starting' | 'ready' | 'retiring' | 'stopping' | 'dead';

export class WorkerSlot {
  state: SlotState = 'starting';
  handle!: WorkerHandle;
  /** Jobs sent to the worker and not yet settled, in the order they were sent. */
  readonly held = new Map<number, Job>();
  heldItems = 0;
  /** Items this worker finished, for maxTasksPerWorker. */
  itemsDone = 0;
  /** Task keys whose spec this worker was already sent. */
  readonly knownTasks = new Set<number>();
  /** Jobs assigned since the last flush, sent together in one message. */
  outbox: JobMessage[] = [];
  outboxDefines: TaskDefinition[] | undefined = undefined;
  outboxTransfer: TransferListItem[] | undefined = undefined;
  /** The error that ended the worker, from its crash report or the runtime. */
  fatalError: Error | undefined = undefined;
  /** The jobs the worker said it was running as it crashed or exited, if it said. */
  reportedRunningJobs: readonly number[] | undefined = undefined;
  /** Set when we stop the worker on purpose (timeout, abort, terminate). */
  stoppedOnPurpose = false;
  keepsParentAlive = false;
  /** Set while the worker idles: it may exit when this fires (Pool idleTimeout). */
  private idleTimer: NodeJS.Timeout | undefined = undefined;
  readonly startedAt = performance.now();

  /** `pool-N`: how logs and errors name the worker. */
  readonly name: string;

  constructor(
    readonly id: number,
    private readonly poolName: string,
  ) {
    this.name = `${poolName}-${id}`;
  }

  /** Whether the scheduler may send this worker more work. */
  get accepting(): boolean {
    return this.state === 'starting' || this.state === 'ready';
  }

  hold(job: Job): void {
    this.held.set(job.id, job);
    this.heldItems += job.items.length;
    if (!this.knownTasks.has(job.task.key)) {
      this.knownTasks.add(job.task.key);
      if (this.outboxDefines === undefined) this.outboxDefines = [];
      this.outboxDefines.push({ key: job.task.key, spec: job.task.spec });
    }
    this.outbox.push(
      job.shared
        ? { id: job.id, taskKey: job.task.key, items: job.items, shared: true }
        : { id: job.id, taskKey: job.task.key, items: job.items },
    );
    if (job.transfer.length > 0) {
      if (this.outboxTransfer === undefined) this.outboxTransfer = [];
      this.outboxTransfer.push(...job.transfer);
    }
  }

  release(job: Job): void {
    if (this.held.delete(job.id)) this.heldItems -= job.items.length;
  }

  /** The worker took a job: it holds the program open, and its idle clock stops. */
  markBusy(): void {
    this.stopIdleClock();
    if (!this.keepsParentAlive) {
      this.keepsParentAlive = true;
      this.handle.setKeepsParentAlive(true);
    }
  }

  /**
   * The worker holds no job: it lets the program exit (unless it is stopping, when the exit
   * must be seen), and after `idleTimeoutMs` (if finite) `onIdleTooLong` may stop it.
   */
  markIdle(idleTimeoutMs: number, onIdleTooLong: () => void): void {
    if (this.keepsParentAlive && this.state !== 'stopping') {
      this.keepsParentAlive = false;
      this.handle.setKeepsParentAlive(false);
    }
    if (idleTimeoutMs === Number.POSITIVE_INFINITY || this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.held.size === 0 && this.accepting) onIdleTooLong();
    }, idleTimeoutMs);
    this.idleTimer.unref();
  }

  stopIdleClock(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /**
   * 'graceful': ask the worker to exit once idle, terminating it if it has not after
   * GRACEFUL_EXIT_MS. 'force': terminate it now. Either way the parent stays alive until the
   * exit is seen, so join() can resolve.
   */
  stop(how: 'graceful' | 'force'): void {
    if (this.state === 'dead') return;
    this.keepsParentAlive = true;
    this.handle.setKeepsParentAlive(true);
    if (how === 'force') {
      this.stoppedOnPurpose = true;
      this.state = 'stopping';
      this.handle.stop('SIGKILL');
      return;
    }
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    this.handle.send({ type: 'close' }, []);
    setTimeout(() => {
      if (this.state !== 'dead') {
        this.stoppedOnPurpose = true;
        this.handle.stop('SIGKILL');
      }
    }, GRACEFUL_EXIT_MS).unref();
  }

  /** Starts the worker (idle, so not holding the program open); its owner hears its messages and exit. */
  start(
    backend: WorkerBackend,
    setup: { readonly initializer: WorkerStartData['initializer']; readonly lanes: number },
    on: { message(message: WorkerToMain): void; exit(exitCode: number): void },
  ): void {
    const { initializer, lanes } = setup;
    this.handle = backend.spawn(
      {
        workerId: this.id,
        workerName: this.name,
        mode: 'pool',
        control: undefined,
        epochMs: Date.now(),
        lanes,
        initializer,
        origin: workerOrigin(true, this.poolName),
      },
      {
        onMessage: on.message,
        onError: (error) => {
          this.fatalError ??= error;
        },
        onExit: on.exit,
      },
    );
    this.handle.setKeepsParentAlive(false);
  }

  /**
   * Takes the messages that concern only this worker: readiness, what it said as it crashed
   * or exited, its log records, and its calls to shared objects the parent brokers.
   */
  absorb(message: Exclude<WorkerToMain, { type: 'results' | 'initFailed' }>): void {
    switch (message.type) {
      case 'ready':
        if (this.state === 'starting') this.state = 'ready';
        break;
      case 'crash':
        this.fatalError = deserializeError(message.error);
        this.reportedRunningJobs = message.runningJobIds;
        break;
      case 'exiting':
        this.reportedRunningJobs = message.runningJobIds;
        break;
      case 'log':
        deliverLogRecord(message.record, { worker: this.name, pid: this.handle.pid, threadId: this.handle.threadId });
        break;
      case 'brokerCall':
        serveLater(this.handle, message);
        break;
      case 'bye':
        break;
    }
  }

  /**
   * Sends everything assigned since the last flush in one message. If the message cannot be
   * sent (an argument structured clone refuses: the whole send fails before anything goes),
   * sends the task definitions alone, then each job alone, and returns the jobs that could
   * not go, each with the error, for the scheduler to settle; the worker is unharmed.
   */
  flush(): { job: Job; error: unknown }[] | undefined {
    if (this.outbox.length === 0 || this.state === 'dead') return undefined;
    const jobs = this.outbox;
    const defines = this.outboxDefines;
    const transfer = this.outboxTransfer ?? [];
    this.outbox = [];
    this.outboxDefines = undefined;
    this.outboxTransfer = undefined;
    try {
      this.handle.send({ type: 'run', defines, jobs }, transfer);
      return undefined;
    } catch {
      return this.sendOneByOne(jobs, defines);
    }
  }

  private sendOneByOne(jobs: JobMessage[], defines: TaskDefinition[] | undefined): { job: Job; error: unknown }[] {
    const failed: { job: Job; error: unknown }[] = [];
    if (defines) this.handle.send({ type: 'run', defines, jobs: [] }, []);
    for (const message of jobs) {
      const job = this.held.get(message.id);
      if (job === undefined) continue;
      try {
        this.handle.send({ type: 'run', defines: undefined, jobs: [message] }, job.transfer);
      } catch (error) {
        failed.push({ job, error });
      }
    }
    return failed;
  }
}

type BrokerModule = typeof import('../shared/broker.js');
let broker: BrokerModule | undefined;
let loadingBroker: Promise<BrokerModule> | undefined;

/**
 * Serves a worker's call on a shared object (shared/broker.ts), loading the broker on the first
 * such call: most pools never share an object, and the broker pulls in every kind of shared
 * object. Calls that arrive while it loads are served in their order of arrival, each after
 * the ones before it (promise reactions run first in, first out), as the broker requires.
 */
function serveLater(handle: WorkerHandle, message: Extract<WorkerToMain, { type: 'brokerCall' }>): void {
  if (broker !== undefined) {
    broker.serveBrokerCall(handle, message);
    return;
  }
  loadingBroker ??= import('../shared/broker.js').then((loaded) => {
    broker = loaded;
    return loaded;
  });
  void loadingBroker.then((loaded) => loaded.serveBrokerCall(handle, message));
}
