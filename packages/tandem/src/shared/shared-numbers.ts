/**
 * SharedNumbers: the one base of RawValue/Value and RawArray/SharedArray. Both are typed
 * elements in a SharedArrayBuffer of their own, optionally guarded by a lock, and travel to
 * workers the same way; only their public members (one value, or an indexed array) differ.
 * Keeping the view, the lock and the descriptor state here means a fix to how they are
 * shared or locked is made once.
 */
import type { Lock } from '../sync/lock.js';
import { withLockAs } from '../sync/lock-like.js';
import type { RLock } from '../sync/rlock.js';
import { marshalNested } from './marshal.js';
import { isAtomicType, type NumericType, newSharedView, type TypedArrayOf, viewOf } from './numeric.js';
import * as shareable from './shareable.js';

/** What a worker needs to attach to the same elements (memory form) or to proxy them (broker form: no buffer). */
export interface NumbersState {
  readonly type: NumericType;
  readonly length: number;
  readonly buffer: SharedArrayBuffer | undefined;
  readonly lock: shareable.SharedDescriptor | undefined;
}

/** Typed elements in shared memory, with the lock of the locked kinds. Not exported by tandem. */
export abstract class SharedNumbers<T extends NumericType = NumericType> extends shareable.Shareable {
  /** The element type. */
  readonly type!: T;
  protected view!: TypedArrayOf<T>;
  protected atomic!: boolean;
  /**
   * The lock of Value and SharedArray, which their brokered accesses hold; undefined on
   * RawValue and RawArray, and on a locked kind made with `{ lock: false }`.
   */
  protected lock: Lock | RLock | undefined;

  /** Sets the element type and a fresh zeroed view of `length` elements. */
  protected allocate(type: T, length: number): void {
    (this as { type: T }).type = type;
    this.view = newSharedView(type, length);
    this.atomic = isAtomicType(type);
  }

  /** The number of elements the descriptor state records (1 for a value). */
  protected abstract get elementCount(): number;

  /** Runs a brokered access, holding the lock (if any) for the calling child while it runs. */
  protected guarded<R>(caller: shareable.BrokerCaller, access: () => R): Promise<R> {
    return this.lock ? withLockAs(this.lock, caller.owner, access) : Promise.resolve(access());
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    const buffer = this.view.buffer as SharedArrayBuffer;
    const lock = marshalNested(this.lock, 'memory');
    return { type: this.type, length: this.elementCount, buffer, lock } satisfies NumbersState;
  }

  /** @internal */
  override [shareable.BROKER_META](): unknown {
    const lock = marshalNested(this.lock, 'broker');
    return { type: this.type, length: this.elementCount, buffer: undefined, lock } satisfies NumbersState;
  }

  /** @internal Fills an object made without its constructor from a descriptor's state. */
  attachTo(state: NumbersState, remote: shareable.RemoteRef | undefined): this {
    (this as { type: T }).type = state.type as T;
    this.atomic = isAtomicType(state.type);
    if (state.buffer) this.view = viewOf(state.type as T, state.buffer);
    this.lock = shareable.reviveNested<Lock | RLock>(state.lock);
    this[shareable.REMOTE] = remote;
    return this;
  }
}

/** Registers how a worker revives a kind of SharedNumbers: an object of `prototype`, attached to the descriptor's state. */
export function registerNumbersKind(kind: string, prototype: SharedNumbers): void {
  shareable.registerKind(kind, (d, remote) => {
    const state = (shareable.memoryState<NumbersState>(d) ?? shareable.brokerMeta<NumbersState>(d)) as NumbersState;
    return (Object.create(prototype) as SharedNumbers).attachTo(state, remote);
  });
}
