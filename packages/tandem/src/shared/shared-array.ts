/**
 * RawArray and SharedArray: a fixed-length array of numbers in shared memory, as Python's
 * multiprocessing RawArray and Array. `.array` is a typed-array view on the shared buffer,
 * so worker threads read and write it in place; across processes the parent keeps the
 * buffer and the async get(i), set(i, v) and slice() go through it. SharedArray adds a lock
 * (an RLock by default) that its async members hold.
 */
import type { Lock } from '../sync/lock.js';
import type { RLock } from '../sync/rlock.js';
import { brokeredSyncError } from '../sync/waits.js';
import { describeValue } from '../util/check-options.js';
import { type LockOption, lockFromOptions, requireLock, underLock } from './lock-option.js';
import {
  checkElement,
  type ElementOf,
  type NumericType,
  readElement,
  type TypedArrayOf,
  typedArrayClass,
  writeElement,
} from './numeric.js';
import * as shareable from './shareable.js';
import { type NumbersState, registerNumbersKind, SharedNumbers } from './shared-numbers.js';

/**
 * A fixed-length array of numbers in shared memory, without a lock.
 *
 * @example
 * ```ts
 * const squares = new RawArray('float64', 100);
 * // in worker thread i: squares.array[i] = i * i;
 * ```
 */
export class RawArray<T extends NumericType = NumericType> extends SharedNumbers<T> {
  /** The number of elements (fixed). Works everywhere. */
  readonly length!: number;

  /**
   * @param type - the element type, e.g. 'int32' or 'float64'
   * @param lengthOrValues - the length (elements start at 0), or the initial values
   */
  constructor(type: T, lengthOrValues: number | Iterable<ElementOf<T>> | ArrayLike<ElementOf<T>>) {
    super();
    typedArrayClass(type);
    const owner = new.target.name;
    const isLength = typeof lengthOrValues === 'number';
    const isValues = typeof lengthOrValues === 'object' && lengthOrValues !== null;
    const length = isLength ? lengthOrValues : NaN;
    if ((!isLength && !isValues) || (isLength && (!Number.isInteger(length) || length < 0))) {
      const error = isLength ? RangeError : TypeError;
      throw new error(
        `${owner}: give a length (an integer >= 0) or the initial values (an array or iterable), got ${describeValue(lengthOrValues)}`,
      );
    }
    const values = isLength
      ? undefined
      : Array.from(lengthOrValues as Iterable<ElementOf<T>> | ArrayLike<ElementOf<T>>);
    if (values) for (const value of values) checkElement(owner, type, value);
    this.length = values?.length ?? length;
    this.allocate(type, this.length);
    if (values) (this.view as unknown as { set(v: ArrayLike<unknown>): void }).set(values);
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'RawArray';
  }

  /**
   * The typed array on the shared memory: reads and writes go straight to it. Not in a child
   * process: use get(i), set(i, v) and slice() there.
   */
  get array(): TypedArrayOf<T> {
    if (this[shareable.REMOTE])
      throw brokeredSyncError(`${this[shareable.SHARED_KIND]}.array`, '`await array.get(i)`, `set(i, v)` or `slice()`');
    return this.length === this.view.length ? this.view : (this.view.subarray(0, this.length) as TypedArrayOf<T>);
  }

  /** Element `i` (Atomics.load for integer types); works everywhere. */
  get(i: number): Promise<ElementOf<T>> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('get', [i]) as Promise<ElementOf<T>>;
    try {
      return Promise.resolve(readElement(this.view, this.atomic, this.index(i)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sets element `i` (Atomics.store for integer types); works everywhere. */
  set(i: number, value: ElementOf<T>): Promise<void> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('set', [i, value]) as Promise<void>;
    try {
      writeElement(this.view, this.atomic, this.index(i), value);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A copy of elements `start` to `end` (as Array.prototype.slice), as a plain typed array; works everywhere. */
  slice(start?: number, end?: number): Promise<TypedArrayOf<T>> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('slice', [start, end]) as Promise<TypedArrayOf<T>>;
    const copy = this.view.subarray(0, this.length).slice(start, end) as TypedArrayOf<T>;
    return Promise.resolve(copy);
  }

  private index(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`index ${i} is out of range for an array of length ${this.length}`);
    }
    return i;
  }

  protected get elementCount(): number {
    return this.length;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'get':
        return this.guarded(caller, () => readElement(this.view, this.atomic, this.index(args[0] as number)));
      case 'set':
        return this.guarded(caller, () =>
          writeElement(this.view, this.atomic, this.index(args[0] as number), args[1] as ElementOf<T>),
        );
      case 'slice':
        return this.guarded(caller, () =>
          this.view.subarray(0, this.length).slice(args[0] as number | undefined, args[1] as number | undefined),
        );
      default:
        throw shareable.unknownMember(this[shareable.SHARED_KIND], method);
    }
  }

  /** @internal */
  override attachTo(state: NumbersState, remote: shareable.RemoteRef | undefined): this {
    (this as { length: number }).length = state.length;
    return super.attachTo(state, remote);
  }
}

/**
 * A fixed-length array of numbers in shared memory with a lock, as Python's
 * `multiprocessing.Array`: async get(i), set(i, v) and slice() hold the lock; hold
 * getLock() yourself across a read-modify-write.
 *
 * @example
 * ```ts
 * const totals = new SharedArray('int32', 4);
 * // in worker thread w: totals.array[w] += 1  (one writer per slot needs no lock)
 * ```
 */
export class SharedArray<T extends NumericType = NumericType> extends RawArray<T> {
  /**
   * @param type - the element type
   * @param lengthOrValues - the length, or the initial values
   * @param options - `lock`: true (default: a new RLock), false (no lock), or a Lock/RLock to use
   */
  constructor(
    type: T,
    lengthOrValues: number | Iterable<ElementOf<T>> | ArrayLike<ElementOf<T>>,
    options?: LockOption,
  ) {
    super(type, lengthOrValues);
    this.lock = lockFromOptions('SharedArray', options);
  }

  /** @internal */
  override get [shareable.SHARED_KIND](): string {
    return 'SharedArray';
  }

  /** The lock that guards the array. */
  getLock(): Lock | RLock {
    return requireLock('SharedArray', this.lock);
  }

  /** Element `i`, holding the lock; works everywhere. */
  override get(i: number): Promise<ElementOf<T>> {
    return underLock(this.lock, this[shareable.REMOTE], () => super.get(i));
  }

  /** Sets element `i`, holding the lock; works everywhere. */
  override set(i: number, value: ElementOf<T>): Promise<void> {
    return underLock(this.lock, this[shareable.REMOTE], () => super.set(i, value));
  }

  /** A copy of elements `start` to `end`, holding the lock; works everywhere. */
  override slice(start?: number, end?: number): Promise<TypedArrayOf<T>> {
    return underLock(this.lock, this[shareable.REMOTE], () => super.slice(start, end));
  }
}

registerNumbersKind('RawArray', RawArray.prototype);
registerNumbersKind('SharedArray', SharedArray.prototype);
