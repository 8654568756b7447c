/** DictProxy: a Map kept by a Manager, used from any worker through async members. */
import { SHARED_KIND } from '../shared/shareable.js';
import { copy as copyValue, ManagedObject, registerManagedKind } from './managed.js';

const MEMBERS = new Set([
  'get',
  'set',
  'delete',
  'has',
  'entries',
  'keys',
  'values',
  'size',
  'clear',
  'update',
  'pop',
  'popitem',
  'setdefault',
  'copy',
]);

/**
 * A dictionary that lives in the process that made its Manager; every worker sees the same
 * one. Keys and values are structured-cloneable and copied in and out; tandem's shared
 * objects among them (another dict or list, a Lock...) are kept as they are, so a dict of
 * dicts works as Python's nested proxies: `await (await d.get('inner')).set('k', 1)`.
 *
 * @example
 * ```ts
 * const d = await manager.dict<string, number>();
 * // in any worker: await d.set('seen', 1); await d.get('seen');
 * ```
 */
export class DictProxy<K = unknown, V = unknown> extends ManagedObject {
  private data = new Map<K, V>();

  /** @internal Made by Manager.dict(). */
  constructor(initial?: Iterable<readonly [K, V]>) {
    super();
    if (initial) for (const [k, v] of initial) this.data.set(copyValue(k), copyValue(v));
  }

  /** @internal */
  get [SHARED_KIND](): string {
    return 'DictProxy';
  }

  /** @internal */
  protected get brokered(): ReadonlySet<string> {
    return MEMBERS;
  }

  /** The value under `key`, or `defaultValue` (undefined if not given) when there is none. */
  get(key: K): Promise<V | undefined>;
  get<D>(key: K, defaultValue: D): Promise<V | D>;
  get<D>(key: K, defaultValue?: D): Promise<V | D | undefined> {
    return this.run('get', [key, defaultValue], () =>
      this.data.has(key) ? copyValue(this.data.get(key)) : copyValue(defaultValue),
    );
  }

  /**
   * Removes `key` and resolves to its value, or to `defaultValue` (undefined if not given)
   * when it is not there, as Python's `dict.pop(key, default)`.
   */
  pop(key: K): Promise<V | undefined>;
  pop<D>(key: K, defaultValue: D): Promise<V | D>;
  pop<D>(key: K, defaultValue?: D): Promise<V | D | undefined> {
    return this.run('pop', [key, defaultValue], () => {
      if (!this.data.has(key)) return copyValue(defaultValue);
      const value = this.data.get(key) as V;
      this.data.delete(key);
      return value;
    });
  }

  /** Removes and resolves to the last inserted [key, value] pair (undefined if empty), as Python's popitem(). */
  popitem(): Promise<[K, V] | undefined> {
    return this.run('popitem', [], () => {
      let last: [K, V] | undefined;
      for (const entry of this.data) last = entry;
      if (last) this.data.delete(last[0]);
      return last;
    });
  }

  /** The value under `key`; if there is none, stores `defaultValue` there first and resolves to it. */
  setdefault(key: K, defaultValue: V): Promise<V> {
    return this.run('setdefault', [key, defaultValue], () => {
      if (!this.data.has(key)) this.data.set(copyValue(key), copyValue(defaultValue));
      return copyValue(this.data.get(key) as V);
    });
  }

  /** A copy of the whole dict as a Map (shared objects in it stay shared), as Python's `dict.copy()`. */
  copy(): Promise<Map<K, V>> {
    return this.run('copy', [], () => copyValue(new Map(this.data)));
  }

  /** Stores `value` under `key`. */
  set(key: K, value: V): Promise<void> {
    return this.run('set', [key, value], () => {
      this.data.set(copyValue(key), copyValue(value));
    });
  }

  /** Removes `key`; resolves whether it was there. */
  delete(key: K): Promise<boolean> {
    return this.run('delete', [key], () => this.data.delete(key));
  }

  /** Whether `key` is there. */
  has(key: K): Promise<boolean> {
    return this.run('has', [key], () => this.data.has(key));
  }

  /** A copy of every [key, value] pair, in insertion order. */
  entries(): Promise<[K, V][]> {
    return this.run('entries', [], () => copyValue([...this.data.entries()]));
  }

  /** A copy of every key. */
  keys(): Promise<K[]> {
    return this.run('keys', [], () => copyValue([...this.data.keys()]));
  }

  /** A copy of every value. */
  values(): Promise<V[]> {
    return this.run('values', [], () => copyValue([...this.data.values()]));
  }

  /** How many entries there are. */
  size(): Promise<number> {
    return this.run('size', [], () => this.data.size);
  }

  /** Removes every entry. */
  clear(): Promise<void> {
    return this.run('clear', [], () => this.data.clear());
  }

  /** Stores every pair of `entries` in one step (no other worker's call runs in between). */
  update(entries: readonly (readonly [K, V])[]): Promise<void> {
    return this.run('update', [entries], () => {
      for (const [k, v] of entries) this.data.set(copyValue(k), copyValue(v));
    });
  }

  protected clearData(): void {
    this.data = new Map();
  }
}

registerManagedKind('DictProxy', DictProxy.prototype);
