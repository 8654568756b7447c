/**
 * Python's bootstrapping guard. A worker imports the module a task is defined in; if that
 * module is the program's main module and starts a Process or a Pool at its top level, every
 * worker would start more, without end. So while a worker imports a task module, and in
 * everything that import runs (its top-level code, its top-level awaits, the callbacks it
 * schedules), starting a Process or making a Pool throws BootstrapError instead.
 *
 * Code run later by a task (a Pool made inside a task, say) is outside that context and free.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { BootstrapError } from '../errors.js';

const importing = new AsyncLocalStorage<string>();

/** Runs `load` (a worker importing the task module `moduleUrl`) inside the bootstrapping context. */
export function whileBootstrapping<T>(moduleUrl: string, load: () => Promise<T>): Promise<T> {
  return importing.run(moduleUrl, load);
}

/** Throws BootstrapError if called from code a worker runs while importing a task module. */
export function assertNotBootstrapping(what: string): void {
  const moduleUrl = importing.getStore();
  if (moduleUrl !== undefined) throw new BootstrapError(what, moduleUrl);
}
