/**
 * A list of files for one reader call, compact for crossing to a worker (typed arrays, not
 * an object per file: structured cloning costs per object, and a batch holds hundreds).
 *
 * Each path is its root prefix followed by the part the walk found: `bases[i]` is the length
 * of that prefix in bytes (0: the root is the current directory). Readers follow the prefix
 * (the user named it) and resolve the rest beneath it without following any symlink, so a
 * directory swapped for a link during the run cannot lead a read outside the tree.
 * Paths are raw bytes (NUL-separated: a path never holds NUL), never decoded.
 */

export interface FileList {
  /** Every path followed by a NUL byte. */
  readonly paths: Uint8Array;
  /** PathFlag bits per path. */
  readonly flags: Uint8Array;
  /** Length in bytes of each path's root prefix. */
  readonly bases: Uint32Array;
}

export class FileListBuilder {
  readonly paths: Buffer[] = [];
  readonly flags: number[] = [];
  readonly bases: number[] = [];

  add(path: Buffer, flags: number, base: number): void {
    this.paths.push(path);
    this.flags.push(flags);
    this.bases.push(base);
  }

  get size(): number {
    return this.paths.length;
  }

  build(): FileList {
    return { paths: encodePaths(this.paths), flags: Uint8Array.from(this.flags), bases: Uint32Array.from(this.bases) };
  }
}

/** Joins paths into the NUL-separated form of a list. */
export function encodePaths(paths: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const path of paths) total += path.length + 1;
  // A fresh, exactly-sized array: cloning a view of Buffer's shared pool would copy the pool.
  const out = new Uint8Array(total);
  let offset = 0;
  for (const path of paths) {
    out.set(path, offset);
    offset += path.length + 1;
  }
  return out;
}

/** Splits the NUL-separated paths of a list into Buffers (views, no copies). */
export function decodePaths(encoded: Uint8Array): Buffer[] {
  const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const paths: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0, start); end !== -1; end = bytes.indexOf(0, start)) {
    paths.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return paths;
}
