/**
 * Inside a worker: make TypeScript task modules importable when the parent runs under tsx.
 *
 * Workers inherit the parent's execArgv, so `--import tsx` runs in them too; but on older
 * Node lines (20, and 22 before 22.22.3) tsx registers its module hooks only on the main
 * thread, and a worker then cannot import a `.ts` module. So before a worker imports a
 * TypeScript module under tsx, we register tsx's hooks in it ourselves, from the tsx the
 * parent loaded. (A failed import cannot be retried: Node caches the failure by URL. On
 * Node lines where tsx did register, a second registration is harmless.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

let registered: Promise<boolean> | undefined;

/** Imports a module, first giving this worker the parent's tsx hooks if it needs them. */
export async function importWithParentLoader(moduleUrl: string): Promise<unknown> {
  const typescript = /\.[cm]?tsx?$/.test(new URL(moduleUrl).pathname);
  if (!isMainThread && typescript) {
    registered ??= registerTsx();
    await registered;
  }
  try {
    return await import(moduleUrl);
  } catch (error) {
    if (!typescript || (error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    throw new TypeError(
      `cannot import the TypeScript task module ${moduleUrl}: this Node (${process.version}) does not run .ts files itself. ` +
        'Start the program with tsx (npx tsx main.ts, or node --import tsx main.ts), use Node >= 22.18, or compile the task module to JavaScript',
      { cause: error },
    );
  }
}

async function registerTsx(): Promise<boolean> {
  const root = tsxRoot(process.execArgv, process.env.NODE_OPTIONS);
  if (root === undefined) return false;
  const api = (await import(pathToFileURL(join(root, 'dist/esm/api/index.mjs')).href)) as { register: () => unknown };
  api.register();
  return true;
}

const LOADER_FLAGS = /^(?:--import|--loader|--experimental-loader|--require|-r)$/;
const LOADER_FLAG_INLINE = /^(?:--import|--loader|--experimental-loader|--require)=(.+)$/;

/**
 * The folder of the tsx package the parent runs under, in any of the forms it is started:
 * `node --import tsx` (or `tsx/esm`, `--loader tsx`, `-r tsx/cjs`), the `tsx` command (which
 * passes `--require <path>/tsx/dist/preflight.cjs --import file://<path>/tsx/dist/loader.mjs`),
 * or any of these in NODE_OPTIONS. Undefined if the parent does not run under tsx.
 */
export function tsxRoot(execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const args = [...execArgv, ...(nodeOptions?.split(/\s+/).filter(Boolean) ?? [])];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = LOADER_FLAG_INLINE.exec(arg)?.[1] ?? (LOADER_FLAGS.test(arg) ? args[i + 1] : undefined);
    if (value === undefined) continue;
    const root = /^tsx(?:\/|$)/.test(value) ? resolveBareTsx() : packageRootOf(value, 'tsx');
    if (root !== undefined) return root;
  }
  return undefined;
}

/** `tsx` as the parent resolved it: from its working directory or its main module. */
function resolveBareTsx(): string | undefined {
  const from = [join(process.cwd(), 'noop.js'), process.argv[1]].filter((p): p is string => typeof p === 'string');
  for (const base of from) {
    try {
      return dirname(createRequire(base).resolve('tsx/package.json'));
    } catch {
      // not resolvable from here: try the next base
    }
  }
  return undefined;
}

/** The folder of package `name` that holds the file `specifier` names (a path or file: URL), if any. */
function packageRootOf(specifier: string, name: string): string | undefined {
  let path: string;
  try {
    path = specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier;
  } catch {
    return undefined;
  }
  if (!isAbsolute(path)) return undefined;
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (manifest.name === name) return dir;
    } catch {
      // no package.json here (or not readable): look further up
    }
  }
  return undefined;
}
