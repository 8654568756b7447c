/**
 * Manager: makes dicts, lists and namespaces that live in this process and that every
 * worker (thread, child process or inline) uses through async proxies, as Python's
 * multiprocessing.Manager. Python runs a server process for the data; tandem keeps it in
 * the process that made the Manager, which already talks to every worker it starts.
 */
import { InvalidStateError } from '../errors.js';
import { Queue } from '../queue/queue.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';
import { Semaphore } from '../sync/semaphore.js';
import { DictProxy } from './dict-proxy.js';
import { ListProxy } from './list-proxy.js';
import type { ManagedObject } from './managed.js';
import { NamespaceProxy } from './namespace-proxy.js';

/**
 * Makes shared dicts, lists and namespaces. Pass what it makes to workers as task
 * arguments, Process args or Process subclass fields.
 *
 * @example
 * ```ts
 * const manager = new Manager();
 * const counts = await manager.dict<string, number>();
 * await pool.map(tasks.countWords, files.map((f) => [f, counts]));
 * console.log(await counts.entries());
 * await manager.shutdown();
 * ```
 */
export class Manager {
  #made = new Set<ManagedObject>();
  #shutDown = false;

  /** A new shared dictionary, optionally filled with `initial` pairs. */
  async dict<K = unknown, V = unknown>(initial?: Iterable<readonly [K, V]>): Promise<DictProxy<K, V>> {
    return this.#keep(new DictProxy<K, V>(initial));
  }

  /** A new shared list, optionally filled with `initial` items. */
  async list<T = unknown>(initial?: Iterable<T>): Promise<ListProxy<T>> {
    return this.#keep(new ListProxy<T>(initial));
  }

  /** A new shared namespace, optionally with `initial` attributes. */
  async namespace(initial?: Record<string, unknown>): Promise<NamespaceProxy> {
    return this.#keep(new NamespaceProxy(initial));
  }

  /**
   * Python's `manager.Event()`, `Lock()`, `Queue()`... for code being ported: tandem's own
   * Event, Lock, RLock, Semaphore and Queue already work from every worker and backend, so
   * these simply make one (they are not tied to the manager's lifetime).
   */
  async event(): Promise<Event> {
    return new Event();
  }

  async lock(): Promise<Lock> {
    return new Lock();
  }

  async rLock(): Promise<RLock> {
    return new RLock();
  }

  async semaphore(value = 1): Promise<Semaphore> {
    return new Semaphore(value);
  }

  async queue<T = unknown>(maxsize = 0): Promise<Queue<T>> {
    return new Queue<T>(maxsize);
  }

  /** Drops every object this manager made; their proxies reject with InvalidStateError from now on. */
  async shutdown(): Promise<void> {
    this.#shutDown = true;
    for (const object of this.#made) object.close();
    this.#made.clear();
  }

  #keep<T extends ManagedObject>(object: T): T {
    if (this.#shutDown) throw new InvalidStateError('the Manager was shut down: make a new one');
    this.#made.add(object);
    return object;
  }
}
