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
import { RUNTIME } from '../runtime.js';

const importing = new AsyncLocalStorage<string>();

/**
 * Bun (1.4) does not carry an AsyncLocalStorage context into the module an `import()` evaluates.
 * There, the modules this thread is importing right now stand in for it: this covers their
 * top-level code and awaits, but not callbacks they leave to run after the import, and it also
 * refuses a Pool that another task of this worker makes during that import.
 */
const importingNow = RUNTIME === 'bun' ? new Set<string>() : undefined;

/** Runs `load` (a worker importing the task module `moduleUrl`) inside the bootstrapping context. */
export async function whileBootstrapping<T>(moduleUrl: string, load: () => Promise<T>): Promise<T> {
  if (importingNow === undefined) return importing.run(moduleUrl, load);
  importingNow.add(moduleUrl);
  try {
    return await load();
  } finally {
    importingNow.delete(moduleUrl);
  }
}

/** Throws BootstrapError if called from code a worker runs while importing a task module. */
export function assertNotBootstrapping(what: string): void {
  const moduleUrl = importing.getStore() ?? importingNow?.values().next().value;
  if (moduleUrl !== undefined) throw new BootstrapError(what, moduleUrl);
}
