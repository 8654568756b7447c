/** NamespaceProxy: named attributes kept by a Manager, as Python's manager Namespace. */
import { SHARED_KIND } from '../shared/shareable.js';
import { copy, ManagedObject, registerManagedKind } from './managed.js';

const MEMBERS = new Set(['get', 'set', 'delete', 'has', 'toObject']);

/**
 * A bag of named values that lives in the process that made its Manager. Python reads and
 * writes a Namespace's attributes directly; across threads and processes that cannot be
 * synchronous, so here they are get(name) and set(name, value).
 *
 * @example
 * ```ts
 * const ns = await manager.namespace();
 * await ns.set('x', 10); // in a worker: await ns.get('x')
 * ```
 */
export class NamespaceProxy extends ManagedObject {
  private data = new Map<string, unknown>();

  /** @internal Made by Manager.namespace(). */
  constructor(initial?: Record<string, unknown>) {
    super();
    if (initial) for (const [k, v] of Object.entries(initial)) this.data.set(k, copy(v));
  }

  /** @internal */
  get [SHARED_KIND](): string {
    return 'NamespaceProxy';
  }

  /** @internal */
  protected get brokered(): ReadonlySet<string> {
    return MEMBERS;
  }

  /** The attribute `name`, or undefined. */
  get<V = unknown>(name: string): Promise<V | undefined> {
    return this.run('get', [name], () => copy(this.data.get(name)) as V | undefined);
  }

  /** Sets the attribute `name`. */
  set(name: string, value: unknown): Promise<void> {
    return this.run('set', [name, value], () => {
      this.data.set(name, copy(value));
    });
  }

  /** Removes the attribute `name`; resolves whether it was there. */
  delete(name: string): Promise<boolean> {
    return this.run('delete', [name], () => this.data.delete(name));
  }

  /** Whether the attribute `name` is set. */
  has(name: string): Promise<boolean> {
    return this.run('has', [name], () => this.data.has(name));
  }

  /** A copy of every attribute, as a plain object. */
  toObject(): Promise<Record<string, unknown>> {
    return this.run('toObject', [], () => copy(Object.fromEntries(this.data)));
  }

  protected clearData(): void {
    this.data = new Map();
  }
}

registerManagedKind('NamespaceProxy', NamespaceProxy.prototype);
