/**
 * The parent's side of sharing with child processes. Child processes share no memory with
 * us, so the parent keeps each real object under an id (registered when it is first sent
 * in broker form) and runs the async members a child's proxy asks for:
 *
 *   child: proxy.acquire() -> { type: 'brokerCall', callId, objectId, method, args }
 *   parent: real.acquire() ... -> { type: 'brokerReply', callId, value | error }
 *
 * Calls from one worker arrive in the order it made them, over one ordered channel, and each
 * starts as soon as it arrives, so a one-way `release()` from a child is done before any call
 * that child makes after it. Members that return nothing are sent one-way (callId 0): a failure
 * of such a call in the parent becomes a process warning in the parent, since nobody awaits it.
 *
 * Registered objects live as long as the parent: a child may keep a proxy for as long as it
 * likes, and we cannot see when it drops it. Each object is registered once, however often
 * it is sent.
 *
 * Shared objects may travel inside a call's arguments and its result (a proxy stored in, or
 * read from, a Manager dict): the worker sends them as descriptors (marshalForParent) that we
 * revive here, and a result holding any goes back marshalled for the worker: as memory to a
 * thread of this process, brokered to a child process.
 */
import type { WorkerToMain } from '../protocol.js';
import { newVirtualOwner } from '../sync/waits.js';
import { serializeError } from '../util/remote-error.js';
import { objectsById, type ReplyChannel, sessionOf } from './broker-registry.js';
import { marshalResult } from './marshal.js';
import { reviveArgs } from './revive.js';
import { INVOKE } from './shareable.js';

type BrokerCall = Extract<WorkerToMain, { type: 'brokerCall' }>;

/** Runs one call from a worker and, unless it is one-way, replies on `channel`. */
export function serveBrokerCall(channel: ReplyChannel, message: BrokerCall): void {
  const session = sessionOf(channel, newVirtualOwner);
  const { callId } = message;
  const reply = (value: unknown, error?: unknown) => {
    if (session.gone) return;
    if (callId === 0) {
      if (error !== undefined)
        process.emitWarning(`tandem: a one-way ${message.method}() from a worker failed: ${describe(error)}`);
      return;
    }
    if (error !== undefined) {
      channel.send({ type: 'brokerReply', callId, error: serializeError(error) }, []);
      return;
    }
    const marshalled = marshalResult(value, channel.pid === process.pid ? 'memory' : 'broker');
    channel.send(
      marshalled === undefined
        ? { type: 'brokerReply', callId, value }
        : { type: 'brokerReply', callId, value: marshalled, shared: true },
      [],
    );
  };
  const object = objectsById.get(message.objectId);
  if (object === undefined) {
    reply(undefined, new Error(`internal: no shared object ${message.objectId} in this process`));
    return;
  }
  try {
    const args = message.shared ? reviveArgs(message.args) : message.args;
    const result = object[INVOKE](message.method, args, session);
    if (result instanceof Promise)
      result.then(
        (value) => reply(value),
        (error) => reply(undefined, error ?? new Error('rejected')),
      );
    else reply(result);
  } catch (error) {
    reply(undefined, error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
