/**
 * Making the folder a new repository lives in, with an answer that names the path when it
 * cannot be made. Only the last component is made: a missing parent is a typo more often
 * than a wish (restic's local backend makes none either), and mkdir -p under /proc loops for
 * ever in Node (each mkdir there fails with ENOENT, which -p takes for "make the parent").
 */
import { lstatSync, mkdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { RepositoryError } from '../errors.js';

/** Makes `root` (absolute), or accepts it as an existing directory; throws RepositoryError saying why not. */
export function makeRepositoryRoot(root: string): void {
  try {
    mkdirSync(root);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && isDirectory(root)) return;
    throw new RepositoryError(`cannot make the repository ${root}: ${whyNot(root, code)}`, { cause: error });
  }
}

function whyNot(root: string, code: string | undefined): string {
  const parent = dirname(root);
  const link = symlinkTarget(root);
  if (link !== undefined)
    return `it is a symbolic link to ${link}, which does not exist: make that, or give another path`;
  switch (code) {
    case 'ENOENT':
      return isDirectory(parent)
        ? `the file system of ${parent} does not allow it (ENOENT): pick a folder on a disk`
        : `its parent folder ${parent} does not exist: make it first (mkdir -p ${parent}), or check the path`;
    case 'ENOTDIR':
      return `a component of ${parent} is not a directory: check the path`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied to make it in ${parent}: pick a folder you may write, or run as a user who may`;
    case 'EROFS':
      return `${parent} is on a read-only file system`;
    case 'EEXIST':
      return 'it exists and is not a directory: pick another path';
    default:
      return `${code ?? 'an unknown error'}; check the path`;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function symlinkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}
