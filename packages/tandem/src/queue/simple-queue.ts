/** SimpleQueue: Python's unbounded, minimal queue; here a Queue without maxsize. */
import { brokerMeta, memoryState, registerKind, SHARED_KIND } from '../shared/shareable.js';
import { Queue, type QueueOptions } from './queue.js';

/**
 * An unbounded queue (bounded only by its byte capacity): put, get, empty, close.
 *
 * @example
 * ```ts
 * const q = new SimpleQueue<string>();
 * await q.put('hello');
 * ```
 */
export class SimpleQueue<T = unknown> extends Queue<T> {
  /** @param options - `capacityBytes` of the shared ring (default 1 MiB) */
  constructor(options?: QueueOptions) {
    super(0, options);
  }

  /** @internal */
  override get [SHARED_KIND](): string {
    return 'SimpleQueue';
  }
}

registerKind('SimpleQueue', (d, remote) =>
  Queue.attach(SimpleQueue.prototype, memoryState(d) ?? brokerMeta(d), remote),
);
