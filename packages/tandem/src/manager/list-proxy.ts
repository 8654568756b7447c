/** ListProxy: an array kept by a Manager, used from any worker through async members. */
import { isDeepStrictEqual } from 'node:util';
import { SHARED_KIND } from '../shared/shareable.js';
import { checkOptionNames, describeValue } from '../util/check-options.js';
import { copy, ManagedObject, registerManagedKind } from './managed.js';
import { compareForSort } from './sort-order.js';

const MEMBERS = new Set([
  'push',
  'pop',
  'shift',
  'at',
  'set',
  'length',
  'slice',
  'clear',
  'indexOf',
  'includes',
  'insert',
  'remove',
  'sort',
  'reverse',
  'count',
  'extend',
]);

/** `{ reverse }` of ListProxy.sort(). */
export interface ListSortOptions {
  /** Largest first (equal items keep their order, as Python's `reverse=True`). */
  readonly reverse?: boolean;
}

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

  /**
   * Inserts `value` before `index`, as Python's `list.insert`: a negative index counts from
   * the end, and one beyond either end inserts there.
   */
  insert(index: number, value: T): Promise<void> {
    return this.run('insert', [index, value], () => {
      if (!Number.isInteger(index))
        throw new TypeError(`insert: index must be an integer, got ${describeValue(index)}`);
      const at = index < 0 ? Math.max(0, this.data.length + index) : Math.min(index, this.data.length);
      this.data.splice(at, 0, copy(value));
    });
  }

  /**
   * Removes the first item equal to `value` (deep equality, as Python's ==); resolves whether
   * there was one (Python raises ValueError when there is not).
   */
  remove(value: T): Promise<boolean> {
    return this.run('remove', [value], () => {
      const at = this.data.findIndex((item) => isDeepStrictEqual(item, value));
      if (at >= 0) this.data.splice(at, 1);
      return at >= 0;
    });
  }

  /** How many items equal `value` (deep equality, as Python's ==). */
  count(value: T): Promise<number> {
    return this.run('count', [value], () => this.data.filter((item) => isDeepStrictEqual(item, value)).length);
  }

  /** Appends every item of `items` in one step (no other worker's call runs in between). */
  extend(items: readonly T[]): Promise<void> {
    return this.run('extend', [items], () => {
      if (!Array.isArray(items)) throw new TypeError(`extend: items must be an array, got ${describeValue(items)}`);
      for (const item of items) this.data.push(copy(item));
    });
  }

  /**
   * Sorts the list in place in Python's order: numbers (and bigints, booleans) by value,
   * strings by code unit, arrays element by element; a mix of kinds that Python would refuse
   * rejects with TypeError. A key function cannot travel to the list's process, so there is
   * no `key`: store items that sort as you want (e.g. `[key, value]` arrays).
   */
  sort(options?: ListSortOptions): Promise<void> {
    return this.run('sort', [options], () => {
      checkOptionNames('ListProxy.sort', options, ['reverse']);
      const sign = options?.reverse ? -1 : 1;
      this.data.sort((a, b) => sign * compareForSort(a, b));
    });
  }

  /** Reverses the list in place. */
  reverse(): Promise<void> {
    return this.run('reverse', [], () => {
      this.data.reverse();
    });
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
}

registerManagedKind('ListProxy', ListProxy.prototype);
