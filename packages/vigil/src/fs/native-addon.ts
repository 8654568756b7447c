/**
 * vigil's native addon (native/*.c, built by node-gyp when vigil is installed), loaded once
 * per thread. Its batch entry points do the per-file system calls of a whole batch in one
 * call from JavaScript; see native/batch.c for their contract. When it is missing, the
 * JavaScript reader (js-reader.ts) does the same work the same way, slower.
 *
 * VIGIL_NATIVE=0 turns it off, to compare the two; VIGIL_NATIVE_BLAKE3=0 keeps it but hashes
 * BLAKE3 as an addon built without BLAKE3's C sources does (documented switches, for
 * benchmarks: not test seams).
 */
import { createRequire } from 'node:module';

/** The arguments every batch entry point starts with (see native/vigil.h, `batch`). */
export type BatchArgs = [
  paths: Uint8Array,
  flags: Uint8Array,
  bases: Uint32Array,
  cursor: Uint32Array,
  arena: Uint8Array,
  records: Float64Array,
  stats: BigInt64Array,
];

/** The addon's functions, argument for argument (see native/batch.c and native/addon.c). */
import type { ReadingCounter } from './reading-bytes.js';

export interface NativeAddon {
  readFiles(...args: [...BatchArgs, deferAbove: number]): void;
  hashFiles(
    ...args: [
      ...BatchArgs,
      deferAbove: number,
      algorithm: string,
      digests: Uint8Array,
      byteBudget: number,
      reading: ReadingCounter | undefined,
    ]
  ): void;
  statFiles(...args: BatchArgs): void;
  /** Every extended attribute of each path (see native/xattrs.c). */
  xattrFiles(...args: BatchArgs): void;
  /**
   * The directory `name` in the directory `parentFd`, opened O_RDONLY | O_DIRECTORY | O_NOATIME (and
   * O_NOFOLLOW unless `follow`): its descriptor, or -errno (see native/list_dir.c).
   */
  openDirectoryAt(parentFd: number, name: Uint8Array, follow: boolean): number;
  /** Every entry of the directory `fd`, typed, sorted and packed with its path `prefix` + name (src/fs/listing.ts); or -errno. */
  listDirectory(fd: number, follow: boolean, prefix: Uint8Array): Buffer | number;
  /**
   * The directory `relative` (components joined by '/') beneath the directory `rootFd`, with no
   * symlink followed on the way (native/beneath.c: openat2, or one openat per component): an
   * O_PATH descriptor, or -errno (ELOOP where a symlink was).
   */
  openDirBeneath(rootFd: number, relative: Uint8Array): number;
  /** close(2) of a descriptor the addon opened (closeSync warns in workers about those): 0 or -errno. */
  closeDescriptor(fd: number): number;
  /** syncfs(2) of the file system holding `path`: 0, or the errno. */
  syncFileSystem(path: string): number;
  /** sync_file_range(2) SYNC_FILE_RANGE_WRITE of all of `fd`: writing starts, nothing waits; 0 or the errno. */
  startWriteback(fd: number): number;
  /**
   * The version of BLAKE3's C sources compiled in (hashFiles then takes "BLAKE3"); absent
   * when the machine that built the addon had none (see binding.gyp).
   */
  readonly blake3?: string;
}

const require = createRequire(import.meta.url);
let loaded: NativeAddon | null | undefined;
let problem: string | undefined;

/** The addon, or undefined when it is turned off or was not built (see `nativeAddonProblem`). */
export function nativeAddon(): NativeAddon | undefined {
  if (loaded === undefined) {
    loaded = null;
    if (process.env.VIGIL_NATIVE === '0') {
      problem = 'turned off by VIGIL_NATIVE=0';
    } else {
      try {
        // From dist/fs/ (or src/fs/) to the package's build/ folder.
        loaded = require('../../build/Release/vigil_native.node') as NativeAddon;
        if (process.env.VIGIL_NATIVE_BLAKE3 === '0') loaded = { ...loaded, blake3: undefined };
      } catch (error) {
        problem = `not loaded (${(error as Error).message.split('\n')[0]}); reinstall vigil with a C compiler to build it`;
      }
    }
  }
  return loaded ?? undefined;
}

/** Why `nativeAddon()` gave undefined, if it did. */
export function nativeAddonProblem(): string | undefined {
  nativeAddon();
  return problem;
}
