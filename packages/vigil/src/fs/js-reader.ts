/**
 * The JavaScript fallback of the native reader (native/batch.c), for when the addon is not
 * built: the same calls, the same records and stats, the same rule (native/read_verified.c),
 * through node:fs. It opens relative to directory descriptors through /proc/self/fd, so its
 * guarantees are the native reader's: nothing is read through a symlink below the root, and
 * a followed path is opened with O_PATH and reopened only once fstat says it is a regular
 * file. It needs /proc mounted (so does the walk).
 *
 * The system calls go through `FileOps` (node:fs by default) so that a test can act between
 * a file's read and its second fstat.
 */

import { createHash, getHashes } from 'node:crypto';
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  statSync,
} from 'node:fs';
import { constants as osConstants } from 'node:os';
import { decodePaths, type FileList } from './file-list.js';
import type { BatchBuffers, DigestTarget, FileReader } from './file-reader.js';
import { JsResolver } from './js-resolver.js';
import { O_PATH, procPath } from './proc-fd.js';
import { addReading } from './reading-bytes.js';
import { movedWhileRead, PathFlag, putStat, RECORD_SLOTS, ReadKind } from './records.js';

/** The system calls the reader makes around the fstat/read/fstat rule. */
export interface FileOps {
  open(path: Buffer, flags: number): number;
  fstat(fd: number): BigIntStats;
  read(fd: number, into: Uint8Array, offset: number, length: number): number;
  close(fd: number): void;
}

export const NODE_FILE_OPS: FileOps = {
  open: openForReading,
  fstat: (fd) => fstatSync(fd, { bigint: true }),
  read: (fd, into, offset, length) => readSync(fd, into, offset, length, null),
  close: (fd) => closeSync(fd),
};

const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Opens without moving the file's atime where it may (O_NOATIME needs the file's owner or
 * CAP_FOWNER: EPERM otherwise, and the file is opened as before), as native/read_verified.c
 * does. O_PATH opens are left as they are.
 */
function openForReading(path: string | Buffer, flags: number): number {
  if ((flags & O_PATH) !== 0 || constants.O_NOATIME === undefined) return openSync(path, flags);
  try {
    return openSync(path, flags | constants.O_NOATIME);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    return openSync(path, flags);
  }
}
/** A symlink target is at most this long on Linux: the arena keeps room for one. */
const PATH_MAX = 4096;

/** Where a batch call is: its paths as Buffers, its buffers, the cursor. */
class Pass {
  readonly paths: Buffer[];
  index: number;
  position: number;
  constructor(
    readonly list: FileList,
    readonly buffers: BatchBuffers,
  ) {
    this.paths = decodePaths(list.paths);
    this.index = buffers.cursor[0] as number;
    this.position = buffers.cursor[1] as number;
  }
  get done(): boolean {
    return this.index >= this.paths.length;
  }
  get path(): Buffer {
    return this.paths[this.index] as Buffer;
  }
  record(...slots: number[]): void {
    this.buffers.records.set(slots, this.index * RECORD_SLOTS);
  }
  /** Path i's stat, as native/napi.c's put_stats writes it. */
  stat(s: BigIntStats): void {
    putStat(this.buffers.stats, this.index, s);
  }
  failed(error: unknown): void {
    this.record(ReadKind.failed, errnoOf(error));
  }
  next(): void {
    this.position += this.path.length + 1;
    this.index++;
  }
  save(): void {
    this.buffers.cursor[0] = this.index;
    this.buffers.cursor[1] = this.position;
  }
}

let opensslDigests: Set<string> | undefined;

export class JsReader implements FileReader {
  readonly #ops: FileOps;

  constructor(ops: FileOps = NODE_FILE_OPS) {
    this.#ops = ops;
  }

  closeLarge(fd: number): void {
    this.#ops.close(fd);
  }

  readFiles(list: FileList, buffers: BatchBuffers, deferAbove: number): void {
    const pass = new Pass(list, buffers);
    const { arena } = buffers;
    const resolver = new JsResolver();
    let used = 0;
    try {
      for (; !pass.done; pass.next()) {
        const opened = this.#open(pass, resolver, deferAbove);
        if (opened === undefined) continue;
        const { fd, before } = opened;
        const size = Number(before.size);
        if (size > arena.length) {
          pass.record(ReadKind.large, fd, size);
          pass.stat(before);
          pass.next();
          break;
        }
        if (used + size > arena.length) {
          this.#ops.close(fd);
          break;
        }
        const total = this.#readVerified(pass, fd, before, arena.subarray(used, used + size));
        this.#ops.close(fd);
        if (total === undefined) continue;
        pass.record(ReadKind.read, used, total);
        pass.stat(before);
        used += total;
      }
    } finally {
      resolver.close();
    }
    pass.save();
  }

  hashFiles(list: FileList, buffers: BatchBuffers, deferAbove: number, target: DigestTarget): void {
    const pass = new Pass(list, buffers);
    const { algorithm, digests, byteBudget } = target;
    const resolver = new JsResolver();
    const digestBytes = createHash(algorithm).digest().length;
    let hashed = 0;
    try {
      for (; !pass.done && hashed < byteBudget; pass.next()) {
        const opened = this.#open(pass, resolver, deferAbove);
        if (opened === undefined) continue;
        const hash = createHash(algorithm);
        // As the native reader: a file longer than the arena is counted piece by piece while read
        // (left in the count when read whole, for the caller to take off; taken back if not).
        const reading = Number(opened.before.size) > buffers.arena.length ? buffers.reading : undefined;
        let counted = 0;
        const total = this.#readVerified(pass, opened.fd, opened.before, buffers.arena, (chunk) => {
          hash.update(chunk);
          addReading(reading, chunk.length);
          counted += chunk.length;
        });
        this.#ops.close(opened.fd);
        if (total === undefined) {
          addReading(reading, -counted);
          continue;
        }
        digests.set(hash.digest(), pass.index * digestBytes);
        pass.record(ReadKind.read, 0, total);
        pass.stat(opened.before);
        hashed += total;
      }
    } finally {
      resolver.close();
    }
    pass.save();
  }

  /** Node.js has no call for extended attributes: callers check readsXattrs and record none. */
  readonly readsXattrs = false;
  xattrFiles(_list: FileList, _buffers: BatchBuffers): void {
    throw new Error('the JavaScript reader cannot read extended attributes (readsXattrs is false)');
  }

  canHash(algorithm: string): boolean {
    // node:crypto's digests are OpenSSL's; BLAKE3 is not among them.
    opensslDigests ??= new Set(getHashes().map((name) => name.toUpperCase()));
    return opensslDigests.has(algorithm.toUpperCase());
  }

  statFiles(list: FileList, buffers: BatchBuffers): void {
    const pass = new Pass(list, buffers);
    const { arena } = buffers;
    const resolver = new JsResolver();
    const bytes = Buffer.from(arena.buffer, arena.byteOffset, arena.byteLength);
    let used = 0;
    try {
      for (; !pass.done; pass.next()) {
        // A followed path (an operand) is stat'ed through its links; nothing is opened either way.
        const follow = ((list.flags[pass.index] as number) & PathFlag.follow) !== 0;
        const parent = follow ? undefined : resolver.parent(pass.path, list.bases[pass.index] as number);
        if (parent !== undefined && 'error' in parent) {
          pass.failed(parent.error);
          continue;
        }
        const at = parent === undefined ? pass.path : procPath(parent.fd, parent.name);
        let st: BigIntStats;
        try {
          st = follow ? statSync(at, { bigint: true }) : lstatSync(at, { bigint: true });
        } catch (error) {
          pass.failed(error);
          continue;
        }
        if (st.isSymbolicLink() && used + PATH_MAX > arena.length && used > 0) break;
        pass.record(ReadKind.read, used, 0);
        pass.stat(st);
        if (!st.isSymbolicLink()) continue;
        try {
          const target = readlinkSync(at, { encoding: 'buffer' });
          const length = target.copy(bytes, used);
          pass.record(ReadKind.read, used, length);
          used += length;
        } catch (error) {
          pass.failed(error);
        }
      }
    } finally {
      resolver.close();
    }
    pass.save();
  }

  /** Opens the current path as native/read_verified.c's open_entry does; undefined when its record is written. */
  #open(pass: Pass, resolver: JsResolver, deferAbove: number): { fd: number; before: BigIntStats } | undefined {
    const flags = pass.list.flags[pass.index] as number;
    const follow = (flags & PathFlag.follow) !== 0;
    let fd: number;
    try {
      if (follow) {
        fd = this.#ops.open(pass.path, O_PATH);
      } else {
        const parent = resolver.parent(pass.path, pass.list.bases[pass.index] as number);
        if ('error' in parent) throw parent.error;
        fd = this.#ops.open(procPath(parent.fd, parent.name), READ_FLAGS | constants.O_NOFOLLOW);
      }
    } catch (error) {
      pass.failed(error);
      return undefined;
    }
    let before: BigIntStats;
    try {
      before = this.#ops.fstat(fd);
    } catch (error) {
      this.#ops.close(fd);
      pass.failed(error);
      return undefined;
    }
    if (!before.isFile()) pass.record(ReadKind.notRegular, Number(before.mode));
    else if ((flags & PathFlag.readLinked) === 0 && before.nlink > 1n) {
      pass.record(ReadKind.linked, Number(before.dev), Number(before.ino), Number(before.nlink));
    } else if (Number(before.size) > deferAbove) pass.record(ReadKind.tooBig, 0, Number(before.size));
    else if (!follow) return { fd, before };
    else {
      // A regular file named by an O_PATH descriptor: reopen that very inode for reading.
      try {
        return { fd: this.#ops.open(procPath(fd), READ_FLAGS), before };
      } catch (error) {
        pass.failed(error);
      } finally {
        this.#ops.close(fd);
      }
      return undefined;
    }
    this.#ops.close(fd);
    return undefined;
  }

  /**
   * The rule: read the size fstat gave (through `into`, in pieces if `onChunk` takes them),
   * fstat again, and record `changed` if anything moved. Returns the bytes read, or
   * undefined with the record written. Does not close `fd`.
   */
  #readVerified(
    pass: Pass,
    fd: number,
    before: BigIntStats,
    into: Uint8Array,
    onChunk?: (chunk: Uint8Array) => void,
  ): number | undefined {
    const want = Number(before.size);
    let total = 0;
    try {
      while (total < want) {
        const piece = Math.min(want - total, into.length);
        const n = this.#ops.read(fd, into, onChunk ? 0 : total, piece);
        if (n === 0) break;
        onChunk?.(into.subarray(0, n));
        total += n;
      }
      if (movedWhileRead(before, this.#ops.fstat(fd)) || total !== want) {
        pass.record(ReadKind.changed);
        return undefined;
      }
      return total;
    } catch (error) {
      pass.failed(error);
      return undefined;
    }
  }
}

function errnoOf(error: unknown): number {
  const errno = (error as NodeJS.ErrnoException).errno;
  if (typeof errno === 'number') return Math.abs(errno);
  return (error as NodeJS.ErrnoException).code === 'EXDEV' ? osConstants.errno.EXDEV : osConstants.errno.EIO;
}
