/**
 * Inside a worker: turns a TaskSpec into the function to call. Module tasks are imported
 * once and looked up in the registry their defineTasks call filled; inline tasks are
 * compiled once from source. Both are cached for the worker's life.
 */
import type { TaskSpec } from '../protocol.js';
import { type AnyFunction, isModuleRegistered, lookupTask } from '../tasks.js';
import { whileBootstrapping } from '../util/bootstrap.js';
import { compileInline } from '../util/inline-function.js';
import { importWithParentLoader } from './loader-hooks.js';

const loaded = new Map<string, AnyFunction>();

/** Returns the function for a spec; a promise only the first time a module is needed. */
export function loadTask(spec: TaskSpec): AnyFunction | Promise<AnyFunction> {
  const cacheKey = spec.kind === 'module' ? `${spec.moduleUrl}#${spec.name}` : spec.source;
  const cached = loaded.get(cacheKey);
  if (cached) return cached;
  if (spec.kind === 'inline') {
    const fn = compileInline(spec.source);
    loaded.set(cacheKey, fn);
    return fn;
  }
  return importModuleTask(spec.moduleUrl, spec.name).then((fn) => {
    loaded.set(cacheKey, fn);
    return fn;
  });
}

async function importModuleTask(moduleUrl: string, name: string): Promise<AnyFunction> {
  await whileBootstrapping(moduleUrl, () => importWithParentLoader(moduleUrl));
  const fn = lookupTask({ moduleUrl, name });
  if (fn) return fn;
  if (!isModuleRegistered(moduleUrl)) {
    throw new Error(
      `${moduleUrl} was imported but registered no tasks under that URL: call defineTasks(import.meta.url, ...) in it, ` +
        'and make sure it imports the same copy of tandem as the code that starts the pool',
    );
  }
  throw new Error(`${moduleUrl} has no task named "${name}"`);
}
