/** Pipe(): two connected ends, as Python's multiprocessing.Pipe(). */
import { Queue } from '../queue/queue.js';
import { newCells, PIPE_SLOTS } from '../shared/layout.js';
import { checkOptionKind, checkOptionNames } from '../util/check-options.js';
import { Connection } from './connection.js';

/** Options of Pipe(). */
export interface PipeOptions {
  /**
   * Default true: both ends send and receive. false: the first end only receives and the
   * second only sends, as Python's `Pipe(duplex=False)`.
   */
  readonly duplex?: boolean;
  /**
   * Bytes of the shared ring of each direction (default 1 MiB, reserved and touched only as
   * used). A value larger than this serialized cannot be sent (RangeError).
   */
  readonly capacityBytes?: number;
}

/**
 * Two Connections joined to each other: what one end sends, the other receives, in order.
 * Pass the ends to pool tasks and Processes on any backend.
 *
 * @example
 * ```ts
 * const [here, there] = Pipe<number>();
 * const p = new Process({ target: tasks.double, args: [there] }); // recv, send back twice the value
 * p.start();
 * here.send(21);
 * console.log(await here.recv()); // 42
 * ```
 */
export function Pipe<T = unknown>(options?: PipeOptions): [Connection<T>, Connection<T>] {
  checkOptionNames('Pipe', options, ['duplex', 'capacityBytes']);
  checkOptionKind('Pipe', 'duplex', options?.duplex, 'boolean');
  const capacity = options?.capacityBytes === undefined ? undefined : { capacityBytes: options.capacityBytes };
  const ends = newCells(PIPE_SLOTS);
  if (options?.duplex === false) {
    const oneWay = new Queue<T>(0, capacity);
    return [
      new Connection<T>({ side: 0, readable: true, writable: false }, ends, oneWay, undefined),
      new Connection<T>({ side: 1, readable: false, writable: true }, ends, undefined, oneWay),
    ];
  }
  const toFirst = new Queue<T>(0, capacity);
  const toSecond = new Queue<T>(0, capacity);
  return [
    new Connection<T>({ side: 0, readable: true, writable: true }, ends, toFirst, toSecond),
    new Connection<T>({ side: 1, readable: true, writable: true }, ends, toSecond, toFirst),
  ];
}
