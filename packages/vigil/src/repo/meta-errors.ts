/**
 * The errors of metadata capture and restore (repository format 2, docs/format-v2-metadata.md).
 * Each names the entry and says what to do; codes are stable.
 */
import { getSystemErrorName } from 'node:util';
import { VigilError } from '../errors.js';
import { nativeAddonProblem } from '../fs/native-addon.js';

/** How an entry's name (bytes, maybe not UTF-8) is shown in a message. */
export function showName(name: Uint8Array): string {
  return JSON.stringify(Buffer.from(name).toString('utf8'));
}

/**
 * A record names an entry with an empty name, ".", "..", or one holding '/' or NUL: it would
 * reach outside its directory. A damaged or tampered snapshot; nothing is written for it.
 */
export class UnsafeEntryNameError extends VigilError {
  /** What is wrong, without the advice: for an error that wraps this one (a damaged tree). */
  readonly problem: string;
  constructor(what: string, name: Uint8Array) {
    super(
      'ERR_VIGIL_UNSAFE_NAME',
      `refusing ${what} ${showName(name)}: a name must be one path component (not empty, ".", "..", nor holding "/" or NUL); the snapshot is damaged or was tampered with: check it with vigil verify`,
    );
    this.problem = `${what} ${showName(name)} is not one path component`;
  }
}

/** A node record read from a repository does not have the shape of docs/format-v2-metadata.md. */
export class MalformedNodeError extends VigilError {
  /** What is wrong, without the advice: for an error that wraps this one (a damaged tree). */
  readonly problem: string;
  constructor(problem: string) {
    super(
      'ERR_VIGIL_MALFORMED_NODE',
      `malformed metadata record: ${problem}; the snapshot is damaged or was tampered with: check it with vigil verify`,
    );
    this.problem = problem;
  }
}

/**
 * Why restore did not do something node:fs cannot (`what`: "make FIFOs or device nodes"),
 * and how to get it done: build vigil's native addon, which can.
 */
export function withoutNativeAddon(what: string): string {
  const problem = nativeAddonProblem();
  return (
    `node:fs cannot ${what} and this install lacks vigil's native addon, which can` +
    (problem === undefined ? '' : ` (it is ${problem})`) +
    '; to build it, install a C compiler, make and python3 (Debian: apt-get install g++ make python3) and run npm rebuild'
  );
}

/** TARGET holds something else where the snapshot has a directory (maybe a planted symlink). */
export class EntryInTheWayError extends VigilError {
  constructor(name: Uint8Array, found: string) {
    super(
      'ERR_VIGIL_ENTRY_IN_THE_WAY',
      `cannot restore the directory ${showName(name)}: TARGET holds ${found} there, which restore never follows; remove it or restore into an empty directory`,
    );
  }
}

/** A system call of metadata restore or capture failed: which, on which name, and errno. */
export class MetaCallError extends VigilError {
  /** The errno (positive). */
  readonly errno: number;
  readonly syscall: string;
  constructor(syscall: string, name: Uint8Array, errno: number) {
    const code = getSystemErrorName(-errno);
    super('ERR_VIGIL_META_CALL', `${syscall} ${showName(name)} failed: ${code}`);
    this.errno = errno;
    this.syscall = syscall;
  }
  /** The errno's name, as node:fs errors have it (`ENOENT`). */
  get systemCode(): string {
    return getSystemErrorName(-this.errno);
  }
}
