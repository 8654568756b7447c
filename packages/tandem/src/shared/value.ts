/**
 * RawValue and Value: one number in shared memory, as Python's multiprocessing RawValue and
 * Value. The element lives alone in its own SharedArrayBuffer; integer types are read and
 * written with Atomics (see numeric.ts for floats). Value adds a lock (an RLock by default,
 * as in Python) for read-modify-write sequences such as `v.value += 1`.
 */
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import { brokeredSyncError } from '../sync/waits.js';
import { type LockOption, lockFromOptions, requireLock, underLock } from './lock-option.js';
import {
  checkElement,
  type ElementOf,
  type NumericType,
  readElement,
  typedArrayClass,
  writeElement,
} from './numeric.js';
import * as shareable from './shareable.js';
import { registerNumbersKind, SharedNumbers } from './shared-numbers.js';

/**
 * One number in shared memory, without a lock.
 *
 * @example
 * ```ts
 * const hits = new RawValue('int32', 0);
 * // in a worker thread: hits.value = 5; anywhere: await hits.get()
 * ```
 */
export class RawValue<T extends NumericType = NumericType> extends SharedNumbers<T> {
  /**
   * @param type - the element type, e.g. 'int32' or 'float64'
   * @param initial - the starting value (default 0)
   */
  constructor(type: T, initial?: ElementOf<T>) {
    super();
    typedArrayClass(type);
    if (initial !== undefined) checkElement(new.target.name, type, initial);
    this.allocate(type, 1);
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

  protected get elementCount(): number {
    return 1;
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
}

registerNumbersKind('RawValue', RawValue.prototype);
registerNumbersKind('Value', Value.prototype);
