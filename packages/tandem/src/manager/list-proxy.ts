/** ListProxy: an array kept by a Manager, used from any worker through async members. */
import { REMOTE, type RemoteRef, registerKind, SHARED_KIND } from '../shared/shareable.js';
import { copy, ManagedObject } from './managed.js';

const MEMBERS = new Set(['push', 'pop', 'shift', 'at', 'set', 'length', 'slice', 'clear', 'indexOf', 'includes']);

/**
 * A list that lives in the process that made its Manager; every worker sees the same one.
 * Items are structured-cloneable and copied in and out. Each call is atomic: two workers'
 * push() calls never lose an item.
 *
 * @example
 * ```ts
 * const results = await manager.list<string>();
 * // in any worker: await results.push('done');
 * ```
 */
export class ListProxy<T = unknown> extends ManagedObject {
  private data: T[] = [];

  /** @internal Made by Manager.list(). */
  constructor(initial?: Iterable<T>) {
    super();
    if (initial) for (const item of initial) this.data.push(copy(item));
  }

  /** @internal */
  get [SHARED_KIND](): string {
    return 'ListProxy';
  }

  /** @internal */
  protected get brokered(): ReadonlySet<string> {
    return MEMBERS;
  }

  /** Appends items; resolves to the new length. */
  push(...items: T[]): Promise<number> {
    return this.run('push', items, () => this.data.push(...items.map(copy)));
  }

  /** Removes and returns the last item (undefined if empty). */
  pop(): Promise<T | undefined> {
    return this.run('pop', [], () => this.data.pop());
  }

  /** Removes and returns the first item (undefined if empty). */
  shift(): Promise<T | undefined> {
    return this.run('shift', [], () => this.data.shift());
  }

  /** The item at `index` (negative counts from the end), or undefined. */
  at(index: number): Promise<T | undefined> {
    return this.run('at', [index], () => copy(this.data.at(index)));
  }

  /** Replaces the item at `index` (0 <= index < length). */
  set(index: number, value: T): Promise<void> {
    return this.run('set', [index, value], () => {
      if (!Number.isInteger(index) || index < 0 || index >= this.data.length) {
        throw new RangeError(`index ${index} is out of range for a list of length ${this.data.length}`);
      }
      this.data[index] = copy(value);
    });
  }

  /** How many items there are. */
  length(): Promise<number> {
    return this.run('length', [], () => this.data.length);
  }

  /** A copy of items `start` to `end`, as Array.prototype.slice (all of them by default). */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.run('slice', [start, end], () => copy(this.data.slice(start, end)));
  }

  /** The first index of an item equal (===) to `value`, or -1; for primitives. */
  indexOf(value: T): Promise<number> {
    return this.run('indexOf', [value], () => this.data.indexOf(value));
  }

  /** Whether an item equals (SameValueZero) `value`; for primitives. */
  includes(value: T): Promise<boolean> {
    return this.run('includes', [value], () => this.data.includes(value));
  }

  /** Removes every item. */
  clear(): Promise<void> {
    return this.run('clear', [], () => {
      this.data.length = 0;
    });
  }

  protected clearData(): void {
    this.data = [];
  }

  /** @internal */
  static attach(remote: RemoteRef | undefined): ListProxy {
    const proxy = Object.create(ListProxy.prototype) as ListProxy;
    proxy[REMOTE] = remote;
    return proxy;
  }
}

registerKind('ListProxy', (_d, remote) => ListProxy.attach(remote));
