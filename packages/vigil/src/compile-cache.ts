/**
 * Node's on-disk cache of compiled modules (Node >= 22.8: `module.enableCompileCache()`), for
 * the CLI's start: each run otherwise compiles its hundred-odd modules again in every thread,
 * which is a large part of what a short run costs (docs/benchmarks.md, issue 22). On Node 20
 * the function does not exist and nothing happens. Node's own switch, NODE_DISABLE_COMPILE_CACHE,
 * turns it off.
 */

/** The part of `node:module` used here (absent before Node 22.8). */
export interface CompileCacheApi {
  readonly enableCompileCache?: (directory?: string) => { readonly status: number; readonly directory?: string };
  readonly constants?: { readonly compileCacheStatus?: { readonly ENABLED: number; readonly ALREADY_ENABLED: number } };
}

/**
 * Turns the cache on for this thread and, through NODE_COMPILE_CACHE, for the worker threads
 * started after it (Node reads that variable as each thread starts; the function alone covers
 * only the thread that calls it). Returns the cache's directory, or undefined when it is off.
 */
export function startCompileCache(api: CompileCacheApi, env: NodeJS.ProcessEnv): string | undefined {
  const statuses = api.constants?.compileCacheStatus;
  if (typeof api.enableCompileCache !== 'function' || statuses === undefined) return undefined;
  const { status, directory } = api.enableCompileCache();
  if ((status !== statuses.ENABLED && status !== statuses.ALREADY_ENABLED) || directory === undefined) return undefined;
  env.NODE_COMPILE_CACHE = directory;
  return directory;
}
