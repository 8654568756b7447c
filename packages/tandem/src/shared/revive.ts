/**
 * Worker side: turns descriptors back into working shared objects (see shareable.ts). The
 * job runner imports this module the first time a job carries descriptors, so workers that
 * never get a shared object never load the shared classes.
 */
import { isMainThread } from 'node:worker_threads';
import { remoteRef, useSharedCodec } from '../entry/broker-client.js';
import '../connection/connection.js';
import '../manager/dict-proxy.js';
import '../manager/list-proxy.js';
import '../manager/namespace-proxy.js';
import '../manager/object-proxy.js';
import '../queue/joinable-queue.js';
import '../queue/queue.js';
import '../queue/simple-queue.js';
import '../sync/barrier.js';
import '../sync/condition.js';
import '../sync/event.js';
import '../sync/lock.js';
import '../sync/rlock.js';
import '../sync/semaphore.js';
import './shared-array.js';
import './value.js';
import { lookupBrokered } from './broker-registry.js';
import { marshalForParent } from './marshal.js';
import {
  BROKER_ID,
  DESCRIPTOR_TAG,
  isDescriptor,
  reviverOf,
  type Shareable,
  type SharedDescriptor,
  setNestedReviver,
} from './shareable.js';

/** The working object for a descriptor. */
export function reviveDescriptor(descriptor: SharedDescriptor): Shareable {
  if (descriptor[DESCRIPTOR_TAG] === 'broker') {
    // Registered in this very thread (the inline backend runs tasks on the main thread): the real object.
    const local = lookupBrokered(descriptor.id);
    if (local) return local;
  }
  const revive = reviverOf(descriptor.kind);
  if (revive === undefined) throw new Error(`internal: no shared kind "${descriptor.kind}" in this worker`);
  if (descriptor[DESCRIPTOR_TAG] === 'memory') return revive(descriptor, undefined);
  const proxy = revive(descriptor, remoteRef(descriptor.id, descriptor.kind));
  proxy[BROKER_ID] = descriptor.id;
  return proxy;
}

/** An argument list with descriptors revived wherever they sit (it is the worker's own copy: changed in place). */
export function reviveArgs(args: readonly unknown[]): unknown[] {
  return reviveValue(args, new Set()) as unknown[];
}

setNestedReviver(reviveDescriptor, reviveArgs);
// A worker thread shares memory with its parent; a child process (which runs on its own main thread) does not.
useSharedCodec({
  marshalArgs: (args) => marshalForParent(args, !isMainThread),
  reviveValue: (value) => reviveValue(value, new Set()),
});

/** An object's own fields with descriptors revived wherever they sit (Process subclass fields). */
export function reviveFields(fields: Record<string, unknown>): Record<string, unknown> {
  return reviveValue(fields, new Set()) as Record<string, unknown>;
}

/**
 * `value` with every descriptor in it replaced by its working object. The value arrived by
 * structured clone, so it is this worker's own: containers are changed in place. A
 * descriptor's own state is its kind's business (a Value revives its lock itself).
 */
function reviveValue(value: unknown, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isDescriptor(value)) return reviveDescriptor(value);
  if (seen.has(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveValue(value[i], seen);
  } else if (value instanceof Map) {
    const entries = [...value].map(([key, member]) => [reviveValue(key, seen), reviveValue(member, seen)] as const);
    value.clear();
    for (const [key, member] of entries) value.set(key, member);
  } else if (value instanceof Set) {
    const members = [...value].map((member) => reviveValue(member, seen));
    value.clear();
    for (const member of members) value.add(member);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = reviveValue(record[key], seen);
  }
  return value;
}
