/**
 * Inside a worker: the proxies' way to the parent's broker (shared/broker.ts). One per
 * worker, connected by worker-context.ts to the worker's transport; replies come back
 * through JobRunner.accept.
 */
import { BROKERED_ERRORS, InvalidStateError } from '../errors.js';
import type { MainToWorker, SerializedError, WorkerToMain } from '../protocol.js';
import type { RemoteRef } from '../shared/shareable.js';
import { deserializeError } from '../util/remote-error.js';

type Post = (message: WorkerToMain) => void;
type BrokerReply = Extract<MainToWorker, { type: 'brokerReply' }>;

let post: Post | undefined;
let nextCallId = 1;
/** Installed by shared/revive.ts, which every worker holding a proxy has loaded: see useSharedCodec. */
let codec:
  | { marshalArgs(args: readonly unknown[]): unknown[] | undefined; reviveValue(value: unknown): unknown }
  | undefined;
const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

/** Errors a brokered member may fail with, rebuilt as their own class so `instanceof` works in the worker. */
const ERROR_CLASSES: ReadonlyMap<string, new (message: string) => Error> = new Map(
  BROKERED_ERRORS.map((ErrorClass) => [ErrorClass.name, ErrorClass]),
);

export function connectBroker(send: Post): void {
  post = send;
}

/**
 * Lets calls carry shared objects both ways (a proxy stored in a Manager dict, or read from
 * one). Set by shared/revive.ts when it loads, so a worker that never had a shared object
 * never loads the shared classes.
 */
export function useSharedCodec(shared: NonNullable<typeof codec>): void {
  codec = shared;
}

export function acceptBrokerReply(message: BrokerReply): void {
  const waiter = pending.get(message.callId);
  if (waiter === undefined) return;
  pending.delete(message.callId);
  if (message.error !== undefined) waiter.reject(reviveError(message.error));
  else if (message.shared && codec) waiter.resolve(codec.reviveValue(message.value));
  else waiter.resolve(message.value);
}

/** A proxy's link to the object the parent keeps under `objectId`. */
export function remoteRef(objectId: string, kind: string): RemoteRef {
  const channel = (): Post => {
    if (post === undefined) {
      throw new InvalidStateError(
        `this ${kind} is a proxy for an object of another process, and no parent is connected`,
      );
    }
    return post;
  };
  const message = (callId: number, method: string, args: readonly unknown[]): WorkerToMain => {
    const marshalled = codec?.marshalArgs(args);
    return marshalled === undefined
      ? { type: 'brokerCall', callId, objectId, method, args }
      : { type: 'brokerCall', callId, objectId, method, args: marshalled, shared: true };
  };
  return {
    call(method, args) {
      const send = channel();
      const callId = nextCallId++;
      return new Promise((resolve, reject) => {
        const outgoing = message(callId, method, args);
        pending.set(callId, { resolve, reject });
        send(outgoing);
      });
    },
    send(method, args) {
      channel()(message(0, method, args));
    },
  };
}

function reviveError(serialized: SerializedError): Error {
  const ErrorClass = ERROR_CLASSES.get(serialized.name);
  if (ErrorClass === undefined) return deserializeError(serialized);
  const error = new ErrorClass(serialized.message);
  error.message = serialized.message;
  return error;
}
