/**
 * The one interface every source file is read through (hash, check, baseline, backup):
 * batch calls over a FileList that write records and stats (records.ts) and file contents
 * into an arena. Two implementations keep the same contract: the native addon's (NativeReader,
 * C system calls) and the JavaScript fallback's (JsReader, node:fs). `fileReader()` is the one
 * place that picks between them.
 *
 * Every call starts at `cursor` = [index, byte position in paths], writes one record per
 * path it finishes, and leaves the cursor where it stopped (see each method).
 */
import type { FileList } from './file-list.js';
import { JsReader } from './js-reader.js';
import { type NativeAddon, nativeAddon } from './native-addon.js';

export interface FileReader {
  /**
   * Reads files whole into the arena, back to back, with the fstat/read/fstat rule. Stops
   * when every path is done, when the next file does not fit what is left of the arena, or
   * right after a `large` one (left open for the caller: see eachRead).
   */
  readFiles(
    list: FileList,
    cursor: Uint32Array,
    arena: Uint8Array,
    records: Float64Array,
    stats: BigInt64Array,
    deferAbove: number,
  ): void;
  /**
   * Like readFiles, but hashes each file with OpenSSL's `algorithm` ("SHA256"...) into
   * `digests` at index x digest length, streaming any size through the arena (no `large`).
   * Stops before starting a file once it has hashed `byteBudget` bytes.
   */
  hashFiles(
    list: FileList,
    cursor: Uint32Array,
    arena: Uint8Array,
    records: Float64Array,
    stats: BigInt64Array,
    deferAbove: number,
    algorithm: string,
    digests: Uint8Array,
    byteBudget: number,
  ): void;
  /**
   * lstat beneath the root (a `follow` path: stat through its links); a symlink's target goes
   * to the arena. Stops when the arena may not hold the next target.
   */
  statFiles(list: FileList, cursor: Uint32Array, arena: Uint8Array, records: Float64Array, stats: BigInt64Array): void;
}

/** The native addon as a FileReader. */
export class NativeReader implements FileReader {
  readonly #addon: NativeAddon;
  constructor(addon: NativeAddon) {
    this.#addon = addon;
  }
  readFiles(...[list, ...rest]: Parameters<FileReader['readFiles']>): void {
    this.#addon.readFiles(list.paths, list.flags, list.bases, ...rest);
  }
  hashFiles(...[list, ...rest]: Parameters<FileReader['hashFiles']>): void {
    this.#addon.hashFiles(list.paths, list.flags, list.bases, ...rest);
  }
  statFiles(...[list, ...rest]: Parameters<FileReader['statFiles']>): void {
    this.#addon.statFiles(list.paths, list.flags, list.bases, ...rest);
  }
}

let chosen: FileReader | undefined;

/** This thread's reader: the native one when the addon loaded, else the JavaScript one. */
export function fileReader(): FileReader {
  if (chosen === undefined) {
    const addon = nativeAddon();
    chosen = addon ? new NativeReader(addon) : new JsReader();
  }
  return chosen;
}
