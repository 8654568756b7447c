/**
 * The native batch reader (native/read_files.c, built by node-gyp when vigil is installed):
 * one call opens, stats, reads and closes many small files into an arena, where node:fs would
 * take six calls into C++ per file; for the OpenSSL digests it hashes them there too. Workers use it when it loaded and fall back to the
 * JavaScript reader (read-file.ts) when it did not: same checks, same outcomes, slower.
 *
 * VIGIL_NATIVE=0 turns it off (the tests run both readers this way).
 */
import { createRequire } from 'node:module';

/** What happened to a path: the first slot of its record. Mirrors `enum outcome` in read_files.c. */
export const ReadKind = {
  /** Slot 1: offset of its bytes in the arena; slot 2: size. */
  read: 0,
  /** Slot 1: errno. */
  failed: 1,
  /** Slot 1: st_mode. Never opened (when followed) or opened and not read. */
  notRegular: 2,
  /** Slot 2: size. Bigger than deferAbove: not read. */
  tooBig: 3,
  /** Slot 1: st_dev; slot 2: st_ino; slot 3: st_nlink. Has other hard links: not read. */
  linked: 4,
  /** Its size, mtime or ctime moved while it was read, or it read back short. */
  changed: 5,
  /** Slot 1: byte position of its path in `paths`; slot 2: size. Bigger than the arena: the caller reads it itself. */
  large: 6,
} as const;

/** Numbers per path in the records array. */
export const RECORD_SLOTS = 4;

/** Numbers per path in the optional stats array: what fstat said of each file read, before reading it. */
export const StatSlot = { mode: 0, size: 1, mtimeNs: 2, ctimeNs: 3, ino: 4 } as const;
export const STAT_SLOTS = 5;

export interface NativeReader {
  /**
   * Reads paths from `cursor` = [index, byte position in paths] on, until all are done, the
   * next file does not fit in the arena, or just after a `large` one; writes one record per
   * path and moves the cursor.
   * `afterRead(index)`, if given, runs between a file's read and its second fstat (a test seam).
   * `stats`, if given, gets STAT_SLOTS numbers per file read (see StatSlot; st_ino as signed).
   */
  readFiles(
    paths: Uint8Array,
    flags: Uint8Array,
    cursor: Uint32Array,
    arena: Uint8Array,
    records: Float64Array,
    deferAbove: number,
    afterRead?: (index: number) => void,
    stats?: BigInt64Array,
  ): void;

  /**
   * Like readFiles, but hashes every file in C with OpenSSL (`algorithm` is its digest name,
   * e.g. "SHA256") into `digests` at index x digest length, streaming files of any size
   * through the arena: there is no `large`, and a `read` record has the size in slot 2. It
   * stops before starting a file once it has hashed `byteBudget` bytes (see the cursor).
   */
  hashFiles(
    paths: Uint8Array,
    flags: Uint8Array,
    cursor: Uint32Array,
    arena: Uint8Array,
    records: Float64Array,
    deferAbove: number,
    afterRead: ((index: number) => void) | undefined,
    algorithm: string,
    digests: Uint8Array,
    byteBudget: number,
  ): void;
}

/** Files up to this size are read whole into the arena, back to back; bigger ones are `large`. */
export const ARENA_BYTES = 1024 * 1024;
let arena: Buffer | undefined;

/** This thread's arena for the native reader, made on first use and reused by every call. */
export function readerArena(): Buffer {
  arena ??= Buffer.allocUnsafeSlow(ARENA_BYTES);
  return arena;
}

const require = createRequire(import.meta.url);
let loaded: NativeReader | null | undefined;
let problem: string | undefined;

/** The native reader, or undefined when it is turned off or was not built (see `nativeReaderProblem`). */
export function nativeReader(): NativeReader | undefined {
  if (loaded === undefined) {
    loaded = null;
    if (process.env.VIGIL_NATIVE === '0') {
      problem = 'turned off by VIGIL_NATIVE=0';
    } else {
      try {
        // From dist/scan/ (or src/scan/) to the package's build/ folder.
        loaded = require('../../build/Release/vigil_native.node') as NativeReader;
      } catch (error) {
        problem = `not loaded (${(error as Error).message.split('\n')[0]}); reinstall vigil with a C compiler to build it`;
      }
    }
  }
  return loaded ?? undefined;
}

/** Why `nativeReader()` gave undefined, if it did. */
export function nativeReaderProblem(): string | undefined {
  nativeReader();
  return problem;
}
