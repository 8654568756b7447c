/**
 * The base of the Manager's proxies. The data always lives in the process that made the
 * Manager, even for worker threads: a dict or list is not a fixed layout of numbers, so
 * instead of shared memory every worker reaches it through the broker (shared/broker.ts),
 * and the owning thread calls the same async members on the data directly.
 *
 * Values are copied in and out, except tandem's shared objects inside them, which stay the
 * same objects: a proxy stored in a dict is read back as a proxy for the same data (Python's
 * nested proxies), a Lock as the same lock.
 */
import { InvalidStateError } from '../errors.js';
import { cloneKeepingShared } from '../shared/marshal.js';
import * as shareable from '../shared/shareable.js';

/** @internal Called by Manager.shutdown(): drops the data; later calls reject. */
export const SHUT_DOWN: unique symbol = Symbol('tandem.shutDown');

export abstract class ManagedObject extends shareable.Shareable {
  private closed = false;

  /** @internal The async members a worker may call, by name. */
  protected abstract readonly brokered: ReadonlySet<string>;

  /**
   * Runs member `method`: in a worker, through the broker; here, by calling `local` on the
   * data (values are copied in and out, as they would be across processes).
   */
  protected run<R>(method: string, args: readonly unknown[], local: () => R): Promise<R> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call(method, args) as Promise<R>;
    if (this.closed)
      return Promise.reject(new InvalidStateError(`the Manager of this ${this.constructor.name} was shut down`));
    try {
      return Promise.resolve(local());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @internal Called by Manager.shutdown(): drops the data; later calls reject. */
  [SHUT_DOWN](): void {
    this.closed = true;
    this.clearData();
  }

  protected abstract clearData(): void;

  /** @internal Manager objects are never shared as memory: workers always use the broker. */
  [shareable.MEMORY_STATE](): unknown {
    return undefined;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], _caller: shareable.BrokerCaller): unknown {
    if (!this.brokered.has(method)) throw shareable.unknownMember(this.constructor.name, method);
    return (this as unknown as Record<string, (...a: readonly unknown[]) => unknown>)[method]?.(...args);
  }
}

/**
 * Registers how a worker revives a kind of ManagedObject: a bare object of `prototype` whose
 * only state is its link to the manager's data, since manager objects are always brokered.
 */
export function registerManagedKind(kind: string, prototype: ManagedObject): void {
  shareable.registerKind(kind, (_descriptor, remote) => {
    const proxy = Object.create(prototype) as ManagedObject;
    proxy[shareable.REMOTE] = remote;
    return proxy;
  });
}

/** A copy of a value going in or out of the manager's data, as structured cloning would make, keeping shared objects. */
export function copy<T>(value: T): T {
  return cloneKeepingShared(value);
}
