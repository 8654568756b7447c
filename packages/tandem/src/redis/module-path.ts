/**
 * Task modules travel as paths relative to a root: the caller maps its module URL to one,
 * and the worker host maps it back inside its own root. The worker refuses anything that
 * resolves outside its root after following symlinks, so whoever can write to Redis cannot
 * make a worker import arbitrary code.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, posix, relative, sep, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A task module outside the worker's (or caller's) root. */
export class ModuleOutsideRootError extends Error {
  readonly code = 'ERR_TANDEM_MODULE_OUTSIDE_ROOT';
  constructor(message: string) {
    super(message);
    this.name = 'ModuleOutsideRootError';
  }
}

/** Caller side: the module's path relative to `root`, or throws if it is not a file inside it. */
export function moduleRelativeToRoot(moduleUrl: string, root: string, task: string): string {
  if (!moduleUrl.startsWith('file:')) {
    throw new ModuleOutsideRootError(
      `task ${task}: its module ${moduleUrl} is not a file, so Redis workers cannot import it`,
    );
  }
  const path = fileURLToPath(moduleUrl);
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new ModuleOutsideRootError(
      `task ${task}: its module ${path} is outside the pool's root ${root}; ` +
        'give the Pool a root option that contains it (the same tree the workers run with --root)',
    );
  }
  return rel.split(sep).join('/');
}

/**
 * Worker side: the real path of `rel` inside `realRoot` (itself a real path), or throws
 * ModuleOutsideRootError. Absolute paths, '..' escapes and symlinks out of the root are all
 * refused; a missing module rejects with the filesystem's ENOENT.
 */
export async function resolveInsideRoot(realRoot: string, rel: string): Promise<string> {
  if (typeof rel !== 'string' || rel === '' || posix.isAbsolute(rel) || win32.isAbsolute(rel) || rel.includes('\0')) {
    throw new ModuleOutsideRootError(`refused module ${JSON.stringify(rel)}: not a path relative to the worker's root`);
  }
  if (rel.split(/[\\/]/).includes('..')) {
    throw new ModuleOutsideRootError(`refused module ${JSON.stringify(rel)}: '..' would leave the worker's root`);
  }
  const real = await realpath(`${realRoot}${sep}${rel.split('/').join(sep)}`);
  if (!real.startsWith(realRoot.endsWith(sep) ? realRoot : `${realRoot}${sep}`)) {
    throw new ModuleOutsideRootError(`refused module ${JSON.stringify(rel)}: it resolves outside the worker's root`);
  }
  return real;
}
