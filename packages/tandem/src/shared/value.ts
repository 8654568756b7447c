/**
 * RawValue and Value: one number in shared memory, as Python's multiprocessing RawValue and
 * Value. The element lives alone in its own SharedArrayBuffer; integer types are read and
 * written with Atomics (see numeric.ts for floats). Value adds a lock (an RLock by default,
 * as in Python) for read-modify-write sequences such as `v.value += 1`.
 */
import type { Lock } from '../sync/lock.js';
import { withLockAs } from '../sync/lock-like.js';
import type { RLock } from '../sync/rlock.js';
import { brokeredSyncError } from '../sync/waits.js';
import { type LockOption, lockFromOptions, requireLock, underLock } from './lock-option.js';
import { marshalNested } from './marshal.js';
import {
  checkElement,
  type ElementOf,
  isAtomicType,
  type NumericType,
  newSharedView,
  readElement,
  type TypedArrayOf,
  typedArrayClass,
  viewOf,
  writeElement,
} from './numeric.js';
import * as shareable from './shareable.js';

interface ValueState {
  readonly type: NumericType;
  readonly buffer: SharedArrayBuffer | undefined;
  readonly lock: shareable.SharedDescriptor | undefined;
}

/**
 * One number in shared memory, without a lock.
 *
 * @example
 * ```ts
 * const hits = new RawValue('int32', 0);
 * // in a worker thread: hits.value = 5; anywhere: await hits.get()
 * ```
 */
export class RawValue<T extends NumericType = NumericType> extends shareable.Shareable {
  /** The element type. */
  readonly type!: T;
  protected view!: TypedArrayOf<T>;
  protected atomic!: boolean;

  /**
   * @param type - the element type, e.g. 'int32' or 'float64'
   * @param initial - the starting value (default 0)
   */
  constructor(type: T, initial?: ElementOf<T>) {
    super();
    typedArrayClass(type);
    if (initial !== undefined) checkElement(new.target.name, type, initial);
    this.type = type;
    this.view = newSharedView(type, 1);
    this.atomic = isAtomicType(type);
    if (initial !== undefined) writeElement(this.view, this.atomic, 0, initial);
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'RawValue';
  }

  /** The value, read and written directly in shared memory. Not in a child process: use get() and set(). */
  get value(): ElementOf<T> {
    if (this[shareable.REMOTE]) throw brokeredSyncError(`${this[shareable.SHARED_KIND]}.value`, '`await value.get()`');
    return readElement(this.view, this.atomic, 0);
  }

  set value(value: ElementOf<T>) {
    if (this[shareable.REMOTE])
      throw brokeredSyncError(`${this[shareable.SHARED_KIND]}.value = ...`, '`await value.set(v)`');
    checkElement(this[shareable.SHARED_KIND], this.type, value);
    writeElement(this.view, this.atomic, 0, value);
  }

  /** Reads the value; works everywhere. */
  get(): Promise<ElementOf<T>> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('get', []) as Promise<ElementOf<T>>;
    return Promise.resolve(readElement(this.view, this.atomic, 0));
  }

  /** Writes the value; works everywhere. */
  set(value: ElementOf<T>): Promise<void> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('set', [value]) as Promise<void>;
    try {
      checkElement(this[shareable.SHARED_KIND], this.type, value);
    } catch (error) {
      return Promise.reject(error);
    }
    writeElement(this.view, this.atomic, 0, value);
    return Promise.resolve();
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    return { type: this.type, buffer: this.view.buffer as SharedArrayBuffer, lock: undefined } satisfies ValueState;
  }

  /** @internal */
  override [shareable.BROKER_META](): unknown {
    return { type: this.type, buffer: undefined, lock: undefined } satisfies ValueState;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'get':
        return this.guarded(caller, () => readElement(this.view, this.atomic, 0));
      case 'set':
        return this.guarded(caller, () => writeElement(this.view, this.atomic, 0, args[0] as ElementOf<T>));
      default:
        throw shareable.unknownMember(this[shareable.SHARED_KIND], method);
    }
  }

  /** Runs a brokered access; Value holds its lock for the calling child while it runs. */
  protected guarded<R>(_caller: shareable.BrokerCaller, access: () => R): Promise<R> {
    return Promise.resolve(access());
  }

  /** @internal */
  attachTo(state: ValueState, remote: shareable.RemoteRef | undefined): this {
    (this as { type: T }).type = state.type as T;
    this.atomic = isAtomicType(state.type);
    if (state.buffer) this.view = viewOf(state.type as T, state.buffer);
    this[shareable.REMOTE] = remote;
    return this;
  }
}

/**
 * One number in shared memory with a lock, as Python's `Value`: async get() and set() take
 * the lock; hold getLock() yourself across a read-modify-write.
 *
 * @example
 * ```ts
 * const counter = new Value('int32', 0);
 * // in each worker:
 * await counter.getLock().withLock(async () => counter.set((await counter.get()) + 1));
 * ```
 */
export class Value<T extends NumericType = NumericType> extends RawValue<T> {
  private lock: Lock | RLock | undefined;

  /**
   * @param type - the element type
   * @param initial - the starting value (default 0)
   * @param options - `lock`: true (default: a new RLock), false (no lock), or a Lock/RLock to use
   */
  constructor(type: T, initial?: ElementOf<T>, options?: LockOption) {
    super(type, initial);
    this.lock = lockFromOptions('Value', options);
  }

  /** @internal */
  override get [shareable.SHARED_KIND](): string {
    return 'Value';
  }

  /** The lock that guards the value. */
  getLock(): Lock | RLock {
    return requireLock('Value', this.lock);
  }

  /** Reads the value holding its lock; works everywhere. */
  override get(): Promise<ElementOf<T>> {
    return underLock(this.lock, this[shareable.REMOTE], () => super.get());
  }

  /** Writes the value holding its lock; works everywhere. */
  override set(value: ElementOf<T>): Promise<void> {
    return underLock(this.lock, this[shareable.REMOTE], () => super.set(value));
  }

  protected override guarded<R>(caller: shareable.BrokerCaller, access: () => R): Promise<R> {
    return this.lock ? withLockAs(this.lock, caller.owner, access) : super.guarded(caller, access);
  }

  /** @internal */
  override [shareable.MEMORY_STATE](): unknown {
    return { ...(super[shareable.MEMORY_STATE]() as ValueState), lock: marshalNested(this.lock, 'memory') };
  }

  /** @internal */
  override [shareable.BROKER_META](): unknown {
    return { ...(super[shareable.BROKER_META]() as ValueState), lock: marshalNested(this.lock, 'broker') };
  }

  /** @internal */
  static attach(state: ValueState, remote: shareable.RemoteRef | undefined, withLock: boolean): RawValue {
    if (!withLock) return (Object.create(RawValue.prototype) as RawValue).attachTo(state, remote);
    const value = (Object.create(Value.prototype) as Value).attachTo(state, remote);
    value.lock = shareable.reviveNested<Lock | RLock>(state.lock);
    return value;
  }
}

function stateOf(d: shareable.SharedDescriptor): ValueState {
  return (shareable.memoryState<ValueState>(d) ?? shareable.brokerMeta<ValueState>(d)) as ValueState;
}

shareable.registerKind('RawValue', (d, remote) => Value.attach(stateOf(d), remote, false));
shareable.registerKind('Value', (d, remote) => Value.attach(stateOf(d), remote, true));
