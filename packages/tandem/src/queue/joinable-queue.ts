/**
 * JoinableQueue: a Queue whose consumers mark each item done, so a producer can join() until
 * all are processed, as Python's. Every put counts in QUEUE_UNFINISHED (see queue.ts for the
 * wait protocol of taskDone and join).
 */
import { brokerMeta, memoryState, REMOTE, registerKind, SHARED_KIND } from '../shared/shareable.js';
import { runAsync } from '../sync/waits.js';
import { Queue } from './queue.js';

/**
 * A Queue with taskDone() and join().
 *
 * @example
 * ```ts
 * const jobs = new JoinableQueue<string>();
 * // consumers: const job = await jobs.get(); ...; jobs.taskDone();
 * await jobs.join(); // every item put has been marked done
 * ```
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  /** @internal */
  override get [SHARED_KIND](): string {
    return 'JoinableQueue';
  }

  /** Marks one item got earlier as processed. InvalidStateError if called more often than items were put. */
  taskDone(): void {
    const remote = this[REMOTE];
    if (remote) {
      remote.send('taskDone', []);
      return;
    }
    this.markDone();
  }

  /** Resolves when every item put so far has been marked done. */
  join(): Promise<void> {
    const remote = this[REMOTE];
    if (remote) return remote.call('join', []) as Promise<void>;
    return runAsync(this.joinSteps());
  }
}

registerKind('JoinableQueue', (d, remote) =>
  Queue.attach(JoinableQueue.prototype, memoryState(d) ?? brokerMeta(d), remote),
);
