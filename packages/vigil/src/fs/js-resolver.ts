/**
 * The JavaScript reader's half of native/beneath.c: finds the parent directory of a path
 * beneath its root with no symlink followed, as a descriptor, one component at a time
 * through /proc/self/fd (proc-fd.ts). The last parent is kept open for the next path.
 */
import { closeSync, constants, lstatSync, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { O_PATH, procPath } from './proc-fd.js';

const DIRECTORY = O_PATH | constants.O_DIRECTORY;
const SLASH = 0x2f;
const DOT_DOT = Buffer.from('..');

/** The parent's descriptor and the last component, or the errno code that stopped the lookup. */
export type Parent = { readonly fd: number; readonly name: Buffer } | { readonly error: unknown };

/** How a resolver opens a directory beneath the root's descriptor (throwing an errno error), and closes it. */
export interface DirectoryOpener {
  open(rootFd: number, dir: Buffer): number;
  close(fd: number): void;
}

/** node:fs alone: one open per component through /proc/self/fd. */
const STEPWISE: DirectoryOpener = { open: (rootFd, dir) => openStepwise(rootFd, dir), close: closeSync };

export class JsResolver {
  readonly #opener: DirectoryOpener;
  #root: Buffer | undefined;
  #rootFd = -1;
  #dir: Buffer | undefined;
  #dirFd = -1;

  /** `opener`: the native addon's where capture has it (parent-resolver.ts). */
  constructor(opener: DirectoryOpener = STEPWISE) {
    this.#opener = opener;
  }

  /** The parent directory of `path` (its first `base` bytes are the root, which is followed). */
  parent(path: Buffer, base: number): Parent {
    try {
      const rootFd = this.#useRoot(path.subarray(0, base));
      const relative = path.subarray(base);
      const slash = relative.lastIndexOf(SLASH);
      if (slash < 0) return { fd: rootFd, name: relative };
      const name = relative.subarray(slash + 1);
      const dir = relative.subarray(0, slash);
      if (this.#dir?.equals(dir)) return { fd: this.#dirFd, name };
      this.#closeDir();
      this.#dirFd = this.#opener.open(rootFd, dir);
      this.#dir = Buffer.from(dir);
      return { fd: this.#dirFd, name };
    } catch (error) {
      return { error };
    }
  }

  close(): void {
    this.#closeDir();
    if (this.#rootFd >= 0) closeSync(this.#rootFd);
    this.#rootFd = -1;
    this.#root = undefined;
  }

  #useRoot(root: Buffer): number {
    if (this.#root?.equals(root)) return this.#rootFd;
    this.close();
    this.#rootFd = openSync(root.length === 0 ? '.' : root, DIRECTORY);
    this.#root = Buffer.from(root);
    return this.#rootFd;
  }

  #closeDir(): void {
    if (this.#dirFd >= 0) this.#opener.close(this.#dirFd);
    this.#dirFd = -1;
    this.#dir = undefined;
  }
}

/** Opens `dir` (relative, no leading slash) beneath `rootFd`, one component at a time, following none. */
function openStepwise(rootFd: number, dir: Buffer): number {
  let fd = rootFd;
  let start = 0;
  while (start <= dir.length) {
    let end = dir.indexOf(SLASH, start);
    if (end < 0) end = dir.length;
    const part = dir.subarray(start, end);
    let next: number;
    try {
      if (part.equals(DOT_DOT)) throw Object.assign(new Error('escapes the root'), { code: 'EXDEV' });
      next = openSync(procPath(fd, part), DIRECTORY | constants.O_NOFOLLOW);
    } catch (error) {
      // A symlink where a directory was: say so as openat2 does (ELOOP), not "not a directory".
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' && lstatSync(procPath(fd, part)).isSymbolicLink()) throw loopError();
      throw error;
    } finally {
      if (fd !== rootFd) closeSync(fd);
    }
    fd = next;
    start = end + 1;
  }
  return fd;
}

function loopError(): NodeJS.ErrnoException {
  return Object.assign(new Error('a symlink where a directory was'), {
    code: 'ELOOP',
    errno: -osConstants.errno.ELOOP,
  });
}
