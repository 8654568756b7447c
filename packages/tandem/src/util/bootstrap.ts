/**
 * Python's bootstrapping guard. A worker imports the module a task is defined in; if that
 * module is the program's main module and starts a Process or a Pool at its top level, every
 * worker would start more, without end. So while a worker imports a task module (its top-level
 * code and top-level awaits) and, for the program's main module, in everything that import
 * leaves behind (the callbacks it schedules), starting a Process or making a Pool throws
 * BootstrapError instead.
 *
 * Code run later by a task (a Pool made inside a task, say) is outside that context and free.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BootstrapError } from '../errors.js';
import { programMainModule } from '../process/identity.js';
import { RUNTIME } from '../runtime.js';

const importing = new AsyncLocalStorage<string>();

/**
 * The modules this thread is importing right now, where the import does not run inside
 * `importing` (see below). This covers their top-level code and awaits, but not callbacks they
 * leave to run after the import, and it also refuses a Pool that another task of this worker
 * makes during that import.
 */
const importingNow = new Set<string>();

/**
 * Whether entering an AsyncLocalStorage costs nothing afterwards. Node 20 and 22 build it on
 * promise hooks: once a store has been entered, every promise the thread makes for the rest
 * of its life pays for them (1M awaited async calls: 0.28 s -> 0.92 s on Node 20, 0.42 s ->
 * 1.70 s on Node 22; /tmp script, 2026-12-03). Node 24 (AsyncContextFrame) and Deno do not
 * (0.29 vs 0.28 s; 0.24 vs 0.26 s). Bun (1.4) does not carry the context into the module an
 * `import()` evaluates at all.
 */
const contextIsFree = RUNTIME === 'deno' || (RUNTIME === 'node' && Number(process.versions.node.split('.')[0]) >= 24);

/**
 * Runs `load` (a worker importing the task module `moduleUrl`) inside the bootstrapping context.
 *
 * The full context (the import and every callback it leaves behind, such as the rest of an
 * un-awaited `main()`) is kept where it is free, and everywhere for the program's main module:
 * that is the module whose top level starts work, the case Python's guard exists for. Other
 * task modules on Node 20 and 22 are guarded while they are being imported only, so that
 * their workers' awaits keep full speed.
 */
export async function whileBootstrapping<T>(moduleUrl: string, load: () => Promise<T>): Promise<T> {
  if (RUNTIME !== 'bun' && (contextIsFree || isProgramMain(moduleUrl))) return importing.run(moduleUrl, load);
  importingNow.add(moduleUrl);
  try {
    return await load();
  } finally {
    importingNow.delete(moduleUrl);
  }
}

function isProgramMain(moduleUrl: string): boolean {
  const main = programMainModule();
  if (main === undefined || !moduleUrl.startsWith('file:')) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === main;
  } catch {
    return false;
  }
}

/** Throws BootstrapError if called from code a worker runs while importing a task module. */
export function assertNotBootstrapping(what: string): void {
  const moduleUrl = importing.getStore() ?? importingNow.values().next().value;
  if (moduleUrl !== undefined) throw new BootstrapError(what, moduleUrl);
}
