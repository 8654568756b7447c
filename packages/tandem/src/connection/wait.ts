/**
 * waitConnections: Python's multiprocessing.connection.wait() for Connections: resolves to
 * the ends that recv() would not wait on, as soon as there is one.
 *
 * In a thread whose ends share memory with it, one poll per end runs at once (each sleeps on
 * its inbound queue, see Queue[POLL_STEPS]); when the first succeeds (or time runs out) the
 * others are cancelled: a flag they check after each wake-up, and a notify on their queues
 * to wake them now (other sleepers there wake too, look again and sleep on). In a child
 * process, whose ends are proxies, the whole wait is one call that the parent runs on the
 * real ends, so nothing is left waiting in the parent when it returns.
 */
import { InvalidStateError } from '../errors.js';
import { lookupBrokered } from '../shared/broker-registry.js';
import { BROKER_ID, REMOTE } from '../shared/shareable.js';
import { deadlineOf, runAsync } from '../sync/waits.js';
import { Connection, POLL_UNTIL, READY_NOW, STOP_POLLS, WAIT_AMONG } from './connection.js';

/**
 * Waits until at least one of `connections` has a value to receive or its other end was
 * closed (so recv() would not wait), and resolves to those that are ready, in the order
 * given; to `[]` if `timeoutMs` passes first (default: no limit; 0 just looks).
 *
 * @example
 * ```ts
 * for (const end of await waitConnections(readers)) console.log(await end.recv());
 * ```
 */
export async function waitConnections<C extends Connection>(
  connections: readonly C[],
  timeoutMs?: number,
): Promise<C[]> {
  if (!Array.isArray(connections) || connections.some((c) => !(c instanceof Connection))) {
    throw new TypeError('waitConnections: give an array of Connections (the ends Pipe() returns)');
  }
  const deadline = deadlineOf(timeoutMs);
  if (connections.length === 0) return [];
  const remote = connections.filter((c) => c[REMOTE] !== undefined);
  if (remote.length === 0) return waitHere(connections, deadline);
  if (remote.length < connections.length) {
    throw new TypeError(
      "waitConnections: the ends must all be this process's own or all be its parent's, not a mix of both",
    );
  }
  const [first, ...others] = connections as readonly Connection[];
  const ids = others.map((c) => c[BROKER_ID] as string);
  const ready = (await first?.[REMOTE]?.call(WAIT_AMONG, [ids, timeoutMs])) as number[];
  return ready.map((i) => connections[i] as C);
}

/** The parent's side of a child's waitConnections(): `first` and the ends under `others`' ids. */
export async function waitAmong(
  first: Connection,
  others: readonly string[],
  timeoutMs: number | undefined,
): Promise<number[]> {
  const connections = [first];
  for (const id of others) {
    const found = lookupBrokered(id);
    if (!(found instanceof Connection)) throw new InvalidStateError(`internal: no Connection ${id} in this process`);
    connections.push(found);
  }
  const ready = await waitHere(connections, deadlineOf(timeoutMs));
  return ready.map((c) => connections.indexOf(c));
}

async function waitHere<C extends Connection>(connections: readonly C[], deadline: number): Promise<C[]> {
  const readyNow = () => connections.filter((c) => c[READY_NOW]());
  const ready = readyNow();
  if (ready.length > 0 || deadline <= performance.now()) return ready;
  let settled = false;
  const cancelled = () => settled;
  const polls = connections.map((c) => runAsync(c[POLL_UNTIL](deadline, cancelled)));
  await new Promise<void>((resolve) => {
    for (const poll of polls) void poll.then((ok) => ok && resolve(), resolve);
    void Promise.allSettled(polls).then(() => resolve());
  });
  settled = true;
  for (const c of connections) c[STOP_POLLS]();
  await Promise.allSettled(polls);
  return readyNow();
}
