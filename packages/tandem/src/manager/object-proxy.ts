/**
 * ObjectProxy: an object of your own class kept by a Manager (Manager.register), used from any
 * worker through async versions of its public methods, as Python's AutoProxy. The object
 * lives in the process that made the Manager; each call runs there, one at a time in the
 * order the calls arrive, with arguments and results copied as a Manager dict's values are
 * (tandem's shared objects among them stay shared).
 */
import { InvalidStateError } from '../errors.js';
import * as shareable from '../shared/shareable.js';
import { copy, SHUT_DOWN } from './managed.js';

/** The async face of `T` a Manager hands out: each public method of `T`, returning a promise. */
export type Proxied<T> = ObjectProxy & {
  readonly [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

interface ProxyMeta {
  readonly typeName: string;
  readonly methods: readonly string[];
}

const TARGET: unique symbol = Symbol('tandem.target');
const META: unique symbol = Symbol('tandem.proxyMeta');
const SHUT: unique symbol = Symbol('tandem.shut');

/**
 * A proxy for an object made by a factory given to `Manager.register()`. Its methods are those
 * of the object (public: not starting with `_`), each returning a promise. Pass it to workers
 * like any shared object.
 */
export class ObjectProxy extends shareable.Shareable {
  private [TARGET]: object | undefined;
  private [META]!: ProxyMeta;
  private [SHUT] = false;

  /** @internal Made by a registered Manager factory. */
  constructor(typeName: string, target: object) {
    super();
    this[TARGET] = target;
    this[META] = { typeName, methods: publicMethods(target) };
    installMethods(this);
  }

  /** The name the type was registered under. */
  get typeName(): string {
    return this[META].typeName;
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'ObjectProxy';
  }

  /** @internal Called by Manager.shutdown(): the object is dropped; later calls reject. */
  [SHUT_DOWN](): void {
    this[SHUT] = true;
    this[TARGET] = undefined;
  }

  /** @internal Always brokered: the object lives in the Manager's thread. */
  [shareable.MEMORY_STATE](): unknown {
    return undefined;
  }

  /** @internal */
  override [shareable.BROKER_META](): unknown {
    return this[META];
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], _caller: shareable.BrokerCaller): unknown {
    if (!this[META].methods.includes(method)) throw shareable.unknownMember(this[META].typeName, method);
    return callHere(this, method, args);
  }

  /** @internal */
  static attach(meta: ProxyMeta, remote: shareable.RemoteRef | undefined): ObjectProxy {
    const proxy = Object.create(ObjectProxy.prototype) as ObjectProxy;
    proxy[META] = meta;
    proxy[SHUT] = false;
    proxy[shareable.REMOTE] = remote;
    installMethods(proxy);
    return proxy;
  }
}

/** The names of `target`'s methods, own and inherited, that do not start with `_`. */
function publicMethods(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      // A `then` would make the proxy look like a promise to every `await` that meets it.
      if (name === 'constructor' || name === 'then' || name.startsWith('_')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/** Gives the proxy one async method per method of the object: here, a call; in a worker, a brokered call. */
function installMethods(proxy: ObjectProxy): void {
  for (const name of proxy[META].methods) {
    // Defined, not assigned: an own method shadows even an inherited getter of the same name (typeName).
    Object.defineProperty(proxy, name, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        const remote = proxy[shareable.REMOTE];
        return remote ? remote.call(name, args) : callHere(proxy, name, args);
      },
    });
  }
}

async function callHere(proxy: ObjectProxy, method: string, args: readonly unknown[]): Promise<unknown> {
  const target = proxy[TARGET];
  if (proxy[SHUT] || target === undefined) {
    throw new InvalidStateError(`the Manager of this ${proxy[META].typeName} was shut down`);
  }
  const fn = (target as Record<string, (...a: unknown[]) => unknown>)[method] as (...a: unknown[]) => unknown;
  const result = fn.apply(target, args.map(copy));
  // Only a real promise is awaited: a result whose class has a `then` method is data.
  return copy(result instanceof Promise ? await result : result);
}

shareable.registerKind('ObjectProxy', (d, remote) =>
  ObjectProxy.attach(shareable.brokerMeta<ProxyMeta>(d) as ProxyMeta, remote),
);
