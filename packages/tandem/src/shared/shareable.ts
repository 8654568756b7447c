/**
 * The common base of every object tandem can share with workers (locks, events, values,
 * queues, manager proxies), and the descriptors they travel as.
 *
 * Structured cloning keeps data but loses prototypes, so a shared object cannot simply be
 * posted to a worker. Instead, before a job leaves the main side, each shared object among
 * its top-level arguments is replaced by a descriptor (shared/marshal.ts), and the worker
 * turns descriptors back into working objects before it calls the task (shared/revive.ts):
 *
 * - memory form, for workers that share memory with us (threads, inline): the object's kind
 *   and its SharedArrayBuffers; the revived object works on the very same memory;
 * - broker form, for child processes, which share no memory: the object's kind and an id
 *   under which the parent keeps the real object; the revived object is a proxy whose async
 *   members ask the parent (shared/broker.ts) to run them.
 */

/** Symbols for the members only tandem calls; they keep the public surface clean. */
export const SHARED_KIND: unique symbol = Symbol('tandem.sharedKind');
export const MEMORY_STATE: unique symbol = Symbol('tandem.memoryState');
export const BROKER_META: unique symbol = Symbol('tandem.brokerMeta');
export const INVOKE: unique symbol = Symbol('tandem.invoke');
export const REMOTE: unique symbol = Symbol('tandem.remote');
/** On a proxy: the id the parent keeps the real object under (set by shared/revive.ts). */
export const BROKER_ID: unique symbol = Symbol('tandem.brokerId');

/** Who a brokered call runs for: the owner id RLock and Condition record, and whether it has gone. */
export interface BrokerCaller {
  /** Negative and unique per worker, so it never equals a thread's owner id (threadId + 1). */
  readonly owner: number;
  /** Set when the worker has exited: a lock it acquires after that must be given back. */
  readonly gone: boolean;
}

/** A proxy's link to the real object in the parent. */
export interface RemoteRef {
  /** Runs `method(...args)` on the real object and resolves with its result. */
  call(method: string, args: readonly unknown[]): Promise<unknown>;
  /** Runs `method(...args)` without waiting for an answer (members that return nothing). */
  send(method: string, args: readonly unknown[]): void;
}

const NO_ARGS: readonly unknown[] = [];

/**
 * How a member that returns nothing (release, set, clear, notify...) starts: on a proxy it
 * sends `method(...args)` to the parent's object and returns true, so the caller returns;
 * on a local object it returns false and the caller runs the member itself.
 */
export function sentToParent(object: Shareable, method: string, args: readonly unknown[] = NO_ARGS): boolean {
  const remote = object[REMOTE];
  if (remote) remote.send(method, args);
  return remote !== undefined;
}

/** Tag of a descriptor; a string key, since symbols do not survive structured cloning. */
export const DESCRIPTOR_TAG = '__tandemShared';

export interface MemoryDescriptor {
  readonly [DESCRIPTOR_TAG]: 'memory';
  readonly kind: string;
  readonly state: unknown;
}

export interface BrokerDescriptor {
  readonly [DESCRIPTOR_TAG]: 'broker';
  readonly kind: string;
  /** Unique across threads and processes: `pid:threadId:n` of the thread that registered it. */
  readonly id: string;
  readonly meta: unknown;
}

export type SharedDescriptor = MemoryDescriptor | BrokerDescriptor;

/**
 * Base class of the objects tandem can pass to workers as task arguments, Process `args`
 * and Process subclass fields. You do not extend it yourself.
 */
/** Set by the first shared object made in this thread (see `anyShareableMade`). */
let shareableMade = false;

/**
 * Whether a shared object was ever made in this thread. Until one is, no value here can reach
 * one (a structured clone of one is a plain object), so marshalling need not walk every
 * argument and result looking for them: on a backup's batches that walk was about 2% of the
 * main thread's time.
 */
export function anyShareableMade(): boolean {
  return shareableMade;
}

export abstract class Shareable {
  constructor() {
    shareableMade = true;
  }

  /** @internal The name the worker revives this object by. */
  abstract readonly [SHARED_KIND]: string;
  /** @internal Set on a proxy for an object that lives in the parent process. */
  [REMOTE]: RemoteRef | undefined;
  /** @internal On a proxy: the id the parent keeps the real object under. */
  [BROKER_ID]: string | undefined;

  /**
   * @internal What another thread needs to attach to the same memory (SharedArrayBuffers
   * and parameters), or undefined when the object can only be brokered (manager proxies).
   */
  abstract [MEMORY_STATE](): unknown;

  /** @internal What a proxy in another process needs besides the broker id. */
  [BROKER_META](): unknown {
    return undefined;
  }

  /** @internal Runs an async member on behalf of a proxy in a child process. */
  abstract [INVOKE](method: string, args: readonly unknown[], caller: BrokerCaller): unknown;
}

/** Rebuilds an object of one kind from a descriptor; `remote` is set for broker descriptors. */
export type Reviver = (descriptor: SharedDescriptor, remote: RemoteRef | undefined) => Shareable;

const revivers = new Map<string, Reviver>();

/** Called once per shared class, when its module loads. */
export function registerKind(kind: string, revive: Reviver): void {
  // Revivers make their objects with Object.create, past the constructor: they note it here.
  revivers.set(kind, (descriptor, remote) => {
    shareableMade = true;
    return revive(descriptor, remote);
  });
}

export function reviverOf(kind: string): Reviver | undefined {
  return revivers.get(kind);
}

export function isDescriptor(value: unknown): value is SharedDescriptor {
  return typeof value === 'object' && value !== null && DESCRIPTOR_TAG in value;
}

/** Whether a descriptor sits anywhere in `value` (a worker's check before it loads the revivers). */
export function containsDescriptor(value: unknown, seen = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (isDescriptor(value)) return true;
  if (seen.has(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  seen.add(value);
  const members =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value);
  return members.some((member) => containsDescriptor(member, seen));
}

/** The "not a broker method" error every INVOKE switch ends with. */
export function unknownMember(kind: string, method: string): Error {
  return new TypeError(`internal: ${kind} has no brokered member "${method}"`);
}

/** The memory state of a memory descriptor; undefined for a broker descriptor. */
export function memoryState<T>(descriptor: SharedDescriptor): T | undefined {
  return descriptor[DESCRIPTOR_TAG] === 'memory' ? (descriptor.state as T) : undefined;
}

/** The meta of a broker descriptor; undefined for a memory descriptor. */
export function brokerMeta<T>(descriptor: SharedDescriptor): T | undefined {
  return descriptor[DESCRIPTOR_TAG] === 'broker' ? (descriptor.meta as T) : undefined;
}

let nestedReviver: ((descriptor: SharedDescriptor) => Shareable) | undefined;
let nestedArgsReviver: ((args: readonly unknown[]) => unknown[]) | undefined;

/** Installed by shared/revive.ts, which knows how to reach the parent's broker. */
export function setNestedReviver(
  revive: (descriptor: SharedDescriptor) => Shareable,
  reviveArgs: (args: readonly unknown[]) => unknown[],
): void {
  nestedReviver = revive;
  nestedArgsReviver = reviveArgs;
}

/** Revives the descriptors wherever they sit in an argument list nested in a descriptor (a Barrier's actionArgs). */
export function reviveNestedArgs(args: readonly unknown[]): unknown[] {
  if (nestedArgsReviver === undefined) throw new Error('internal: shared/revive.js was not loaded');
  return nestedArgsReviver(args);
}

/** Revives a shared object nested in another's descriptor (a Condition's lock, a Value's lock). */
export function reviveNested<T extends Shareable>(descriptor: SharedDescriptor | undefined): T | undefined {
  if (descriptor === undefined) return undefined;
  if (nestedReviver === undefined) throw new Error('internal: shared/revive.js was not loaded');
  return nestedReviver(descriptor) as T;
}
