/**
 * Manager: makes dicts, lists and namespaces that live in this process and that every
 * worker (thread, child process or inline) uses through async proxies, as Python's
 * multiprocessing.Manager. Python runs a server process for the data; tandem keeps it in
 * the process that made the Manager, which already talks to every worker it starts.
 */
import { InvalidStateError } from '../errors.js';
import { JoinableQueue } from '../queue/joinable-queue.js';
import { Queue } from '../queue/queue.js';
import type { ElementOf, NumericType } from '../shared/numeric.js';
import { SharedArray } from '../shared/shared-array.js';
import { Value } from '../shared/value.js';
import { Barrier, type BarrierOptions } from '../sync/barrier.js';
import { Condition } from '../sync/condition.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';
import { BoundedSemaphore, Semaphore } from '../sync/semaphore.js';
import { checkOptionKind } from '../util/check-options.js';
import { DictProxy } from './dict-proxy.js';
import { ListProxy } from './list-proxy.js';
import { SHUT_DOWN } from './managed.js';
import { NamespaceProxy } from './namespace-proxy.js';
import { ObjectProxy, type Proxied } from './object-proxy.js';

/** What Manager.register() returns: the Manager class whose instances have the new factory. */
export type ManagerWith<
  M extends typeof Manager,
  N extends string,
  A extends unknown[],
  T,
> = (new () => InstanceType<M> & Record<N, (...args: A) => Promise<Proxied<T>>>) & M;

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
  #made = new Set<{ [SHUT_DOWN](): void }>();
  #shutDown = false;

  /**
   * Registers a type of your own, as Python's `BaseManager.register(typeid, callable)`: every
   * Manager of this class (and its subclasses) gets a method `typeName(...args)` that calls
   * `factory(...args)` here and resolves to a proxy whose methods are the object's public
   * methods, async, usable from any worker. Call it on your own subclass, as in Python, and
   * use the class it returns for the types:
   *
   * @example
   * ```ts
   * class MathsManager extends Manager {}
   * const Managed = MathsManager.register('maths', () => new Maths());
   * const manager = new Managed();
   * const maths = await manager.maths();
   * await maths.add(1, 2); // 3, in this process, whichever worker calls it
   * ```
   */
  static register<M extends typeof Manager, N extends string, A extends unknown[], T extends object>(
    this: M,
    typeName: N,
    factory: (...args: A) => T | Promise<T>,
  ): ManagerWith<M, N, A, T> {
    if (typeof typeName !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(typeName)) {
      throw new TypeError(`Manager.register: typeName must be a method name, got ${JSON.stringify(typeName)}`);
    }
    if (Object.getOwnPropertyNames(Manager.prototype).includes(typeName)) {
      throw new TypeError(`Manager.register: "${typeName}" is a member of Manager itself; choose another name`);
    }
    checkOptionKind('Manager.register', 'factory', factory, 'function');
    // The class it is called on (your subclass), as Python's classmethod registers on its class:
    // `Manager` here would register on every Manager.
    // biome-ignore lint/complexity/noThisInStatic: see above
    // biome-ignore lint/complexity/noUselessThisAlias: named for what it is, the class registered on
    const managerClass = this;
    Object.defineProperty(managerClass.prototype, typeName, {
      configurable: true,
      writable: true,
      value: async function (this: Manager, ...args: A): Promise<Proxied<T>> {
        if (this.#shutDown) throw new InvalidStateError('the Manager was shut down: make a new one');
        const returned = factory(...args);
        // Only a real promise is awaited: an object of a class with a `then` method is not one.
        const made = returned instanceof Promise ? await returned : returned;
        if (typeof made !== 'object' || made === null) {
          throw new TypeError(`Manager.register: the factory of "${typeName}" must return an object`);
        }
        return this.#keep(new ObjectProxy(typeName, made)) as Proxied<T>;
      },
    });
    return managerClass as unknown as ManagerWith<M, N, A, T>;
  }

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

  /** Python's `manager.Lock()`: a tandem Lock. */
  async lock(): Promise<Lock> {
    return new Lock();
  }

  /** Python's `manager.RLock()`: a tandem RLock. */
  async rLock(): Promise<RLock> {
    return new RLock();
  }

  /** Python's `manager.Semaphore(value)`: a tandem Semaphore. */
  async semaphore(value = 1): Promise<Semaphore> {
    return new Semaphore(value);
  }

  /** Python's `manager.Queue(maxsize)`: a tandem Queue. */
  async queue<T = unknown>(maxsize = 0): Promise<Queue<T>> {
    return new Queue<T>(maxsize);
  }

  /** Python's `manager.JoinableQueue()`: a tandem JoinableQueue. */
  async joinableQueue<T = unknown>(maxsize = 0): Promise<JoinableQueue<T>> {
    return new JoinableQueue<T>(maxsize);
  }

  /** Python's `manager.BoundedSemaphore(value)`: a tandem BoundedSemaphore. */
  async boundedSemaphore(value = 1): Promise<BoundedSemaphore> {
    return new BoundedSemaphore(value);
  }

  /** Python's `manager.Condition(lock)`: a tandem Condition (over a new RLock by default). */
  async condition(lock?: Lock | RLock): Promise<Condition> {
    return new Condition(lock);
  }

  /** Python's `manager.Barrier(parties, action, timeout)`: a tandem Barrier. */
  async barrier(parties: number, options?: BarrierOptions): Promise<Barrier> {
    return new Barrier(parties, options);
  }

  /** Python's `manager.Value(typecode, value)`: a tandem Value of a numeric type, e.g. `value('int32', 0)`. */
  async value<T extends NumericType>(type: T, initial?: ElementOf<T>): Promise<Value<T>> {
    return new Value(type, initial);
  }

  /** Python's `manager.Array(typecode, sequence)`: a tandem SharedArray, e.g. `array('float64', [1, 2])` or `array('int32', 10)`. */
  async array<T extends NumericType>(
    type: T,
    lengthOrValues: number | Iterable<ElementOf<T>> | ArrayLike<ElementOf<T>>,
  ): Promise<SharedArray<T>> {
    return new SharedArray(type, lengthOrValues);
  }

  /** `await using manager = new Manager()`: shuts it down at the end of the block (Python's `with Manager() as m`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** Drops every object this manager made; their proxies reject with InvalidStateError from now on. */
  async shutdown(): Promise<void> {
    this.#shutDown = true;
    for (const object of this.#made) object[SHUT_DOWN]();
    this.#made.clear();
  }

  #keep<T extends { [SHUT_DOWN](): void }>(object: T): T {
    if (this.#shutDown) throw new InvalidStateError('the Manager was shut down: make a new one');
    this.#made.add(object);
    return object;
  }
}
