/** DictProxy: a Map kept by a Manager, used from any worker through async members. */
import { REMOTE, type RemoteRef, registerKind, SHARED_KIND } from '../shared/shareable.js';
import { copy, ManagedObject } from './managed.js';

const MEMBERS = new Set(['get', 'set', 'delete', 'has', 'entries', 'keys', 'values', 'size', 'clear', 'update']);

/**
 * A dictionary that lives in the process that made its Manager; every worker sees the same
 * one. Keys and values are structured-cloneable and copied in and out.
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
    if (initial) for (const [k, v] of initial) this.data.set(copy(k), copy(v));
  }

  /** @internal */
  get [SHARED_KIND](): string {
    return 'DictProxy';
  }

  /** @internal */
  protected get brokered(): ReadonlySet<string> {
    return MEMBERS;
  }

  /** The value under `key`, or undefined. */
  get(key: K): Promise<V | undefined> {
    return this.run('get', [key], () => copy(this.data.get(key)));
  }

  /** Stores `value` under `key`. */
  set(key: K, value: V): Promise<void> {
    return this.run('set', [key, value], () => {
      this.data.set(copy(key), copy(value));
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
    return this.run('entries', [], () => copy([...this.data.entries()]));
  }

  /** A copy of every key. */
  keys(): Promise<K[]> {
    return this.run('keys', [], () => copy([...this.data.keys()]));
  }

  /** A copy of every value. */
  values(): Promise<V[]> {
    return this.run('values', [], () => copy([...this.data.values()]));
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
      for (const [k, v] of entries) this.data.set(copy(k), copy(v));
    });
  }

  protected clearData(): void {
    this.data = new Map();
  }

  /** @internal */
  static attach(remote: RemoteRef | undefined): DictProxy {
    const proxy = Object.create(DictProxy.prototype) as DictProxy;
    proxy[REMOTE] = remote;
    return proxy;
  }
}

registerKind('DictProxy', (_d, remote) => DictProxy.attach(remote));
