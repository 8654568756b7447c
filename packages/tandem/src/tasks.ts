/**
 * Task modules: `defineTasks(import.meta.url, { ... })` turns a table of functions into
 * typed task references that a pool can run in any worker without string names.
 *
 * A worker finds a task by importing its module URL and looking the name up in the
 * registry that `defineTasks` filled while the module evaluated; no path is written twice.
 */
import { pathToFileURL } from 'node:url';

// biome-ignore lint/suspicious/noExplicitAny: a task is any function; callers are typed through TaskRef<F>.
export type AnyFunction = (...args: any[]) => unknown;

/** Where a task lives: its module's URL and its name in the table given to defineTasks. */
export interface TaskLocation {
  readonly moduleUrl: string;
  readonly name: string;
}

const TASK_LOCATION: unique symbol = Symbol.for('tandem.taskLocation') as never;

/**
 * A function registered with {@link defineTasks}. It can be called directly in the current
 * thread, and passed to a Pool or Process to run in a worker; arguments and result are
 * typed from the function itself.
 */
export type TaskRef<F extends AnyFunction> = F & { readonly [TASK_LOCATION]: TaskLocation };

/** The object `defineTasks` returns: one TaskRef per function of the table. */
export type TaskTable<T extends Record<string, AnyFunction>> = { readonly [K in keyof T]: TaskRef<T[K]> };

const registry = new Map<string, Record<string, AnyFunction>>();

/**
 * Registers the functions of a task module and returns typed references to them.
 *
 * @param moduleUrl - the module's own `import.meta.url` (a file path is accepted too)
 * @param tasks - the functions; each takes structured-cloneable arguments and returns a
 *   structured-cloneable value or a promise of one
 * @example
 * ```ts
 * export default defineTasks(import.meta.url, { square: (x: number) => x * x });
 * ```
 */
export function defineTasks<T extends Record<string, AnyFunction>>(moduleUrl: string, tasks: T): TaskTable<T> {
  const url = normaliseModuleUrl(moduleUrl);
  const refs: Record<string, AnyFunction> = {};
  for (const [name, fn] of Object.entries(tasks)) {
    if (typeof fn !== 'function') {
      throw new TypeError(`defineTasks: "${name}" in ${url} is ${typeof fn}, not a function`);
    }
    const location: TaskLocation = { moduleUrl: url, name };
    const ref = function (this: unknown, ...args: unknown[]) {
      return fn.apply(this, args);
    };
    Object.defineProperty(ref, 'name', { value: name });
    Object.defineProperty(ref, TASK_LOCATION, { value: location });
    refs[name] = ref;
  }
  registry.set(url, { ...tasks });
  return Object.freeze(refs) as TaskTable<T>;
}

function normaliseModuleUrl(moduleUrl: string): string {
  if (typeof moduleUrl !== 'string' || moduleUrl === '') {
    throw new TypeError('defineTasks: the first argument must be the module URL: pass import.meta.url');
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(moduleUrl) && !/^[a-z]:[\\/]/i.test(moduleUrl)) return moduleUrl;
  return pathToFileURL(moduleUrl).href;
}

/** The location of a task registered with defineTasks, or undefined for a plain function. */
export function taskLocation(fn: AnyFunction): TaskLocation | undefined {
  return (fn as Partial<TaskRef<AnyFunction>>)[TASK_LOCATION];
}

/**
 * Finds a registered task function by location. Used inside workers after the module was
 * imported (its defineTasks call filled the registry).
 */
export function lookupTask(location: TaskLocation): AnyFunction | undefined {
  return registry.get(location.moduleUrl)?.[location.name];
}

/** Whether defineTasks was called for this module URL in this thread. */
export function isModuleRegistered(moduleUrl: string): boolean {
  return registry.has(moduleUrl);
}
