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
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

let registered: Promise<boolean> | undefined;

/** Imports a module, first giving this worker the parent's tsx hooks if it needs them. */
export async function importWithParentLoader(moduleUrl: string): Promise<unknown> {
  if (!isMainThread && /\.[cm]?tsx?$/.test(new URL(moduleUrl).pathname)) {
    registered ??= registerTsx();
    await registered;
  }
  return import(moduleUrl);
}

async function registerTsx(): Promise<boolean> {
  const specifier = tsxSpecifier(process.execArgv);
  if (specifier === undefined) return false;
  const fromCwd = createRequire(join(process.cwd(), 'noop.js'));
  const tsxRoot = dirname(fromCwd.resolve('tsx/package.json'));
  const api = (await import(pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href)) as {
    register: () => unknown;
  };
  api.register();
  return true;
}

/** The tsx entry named in `--import`/`--loader` options, if any. */
function tsxSpecifier(execArgv: readonly string[]): string | undefined {
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    const inline = /^--(?:import|loader|experimental-loader)=(.+)$/.exec(arg);
    const value = inline
      ? inline[1]
      : /^--(?:import|loader|experimental-loader)$/.test(arg)
        ? execArgv[i + 1]
        : undefined;
    if (value !== undefined && /^tsx(?:\/|$)/.test(value)) return value;
  }
  return undefined;
}
