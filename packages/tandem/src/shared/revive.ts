/**
 * Worker side: turns descriptors back into working shared objects (see shareable.ts). The
 * job runner imports this module the first time a job carries descriptors, so workers that
 * never get a shared object never load the shared classes.
 */
import { remoteRef } from '../entry/broker-client.js';
import '../manager/dict-proxy.js';
import '../manager/list-proxy.js';
import '../manager/namespace-proxy.js';
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
import { lookupBrokered } from './broker.js';
import {
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
  return revive(
    descriptor,
    descriptor[DESCRIPTOR_TAG] === 'broker' ? remoteRef(descriptor.id, descriptor.kind) : undefined,
  );
}

setNestedReviver(reviveDescriptor);

/** An argument list with descriptors revived. */
export function reviveArgs(args: readonly unknown[]): unknown[] {
  return args.map((arg) => (isDescriptor(arg) ? reviveDescriptor(arg) : arg));
}

/** An object's own fields with descriptors revived (Process subclass fields). */
export function reviveFields(fields: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) copy[key] = isDescriptor(value) ? reviveDescriptor(value) : value;
  return copy;
}
