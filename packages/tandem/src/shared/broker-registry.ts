/**
 * The parent's registry of objects shared with child processes (broker.ts serves their calls):
 * each real object under an id, and one session per worker channel. Apart from broker.ts
 * because sending arguments (marshal.ts) and a worker's exit (the scheduler) need only this,
 * and a pool that never shares an object then loads none of the shared-object modules that
 * serving calls needs (about thirty modules, most of the cost of importing the pool).
 */
import { threadId } from 'node:worker_threads';
import type { MainToWorker } from '../protocol.js';
import type { BrokerCaller, Shareable } from './shareable.js';

/** Whatever can carry a reply back to the worker that asked (a WorkerHandle). */
export interface ReplyChannel {
  /** The worker's process id: ours for a thread, which shares our memory. */
  readonly pid: number;
  send(message: MainToWorker, transfer: readonly never[]): void;
}

const idPrefix = `${process.pid}:${threadId}:`;
let nextId = 1;
const idsByObject = new WeakMap<Shareable, string>();
export const objectsById = new Map<string, Shareable>();

export interface Session extends BrokerCaller {
  gone: boolean;
}
const sessions = new WeakMap<ReplyChannel, Session>();

/** The id a child's proxy uses for `object`; registers it the first time. */
export function registerBrokered(object: Shareable): string {
  let id = idsByObject.get(object);
  if (id === undefined) {
    id = `${idPrefix}${nextId++}`;
    idsByObject.set(object, id);
    objectsById.set(id, object);
  }
  return id;
}

/** The real object behind an id, if it was registered in this thread (the inline backend's case). */
export function lookupBrokered(id: string): Shareable | undefined {
  return objectsById.get(id);
}

/**
 * The session of the worker behind `channel`, made on its first call; `newOwner` gives it the
 * owner id its lock calls are made under (sync/waits.ts's newVirtualOwner).
 */
export function sessionOf(channel: ReplyChannel, newOwner: () => number): Session {
  let session = sessions.get(channel);
  if (session === undefined) {
    // Negative owner ids never collide with a thread's (threadId + 1 >= 1).
    session = { owner: newOwner(), gone: false };
    sessions.set(channel, session);
  }
  return session;
}

/** The worker behind `channel` exited: its pending calls get no reply, and locks it gains are given back. */
export function brokerClientGone(channel: ReplyChannel): void {
  const session = sessions.get(channel);
  if (session) session.gone = true;
}
