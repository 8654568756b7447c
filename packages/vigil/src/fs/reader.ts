/**
 * The readers behind FileReader (file-reader.ts): the native addon's, and the choice between
 * it and the JavaScript fallback, made here and nowhere else.
 */
import type { FileList } from './file-list.js';
import { type BatchBuffers, BLAKE3_IN_READER, type DigestTarget, type FileReader } from './file-reader.js';
import { JsReader } from './js-reader.js';
import { type BatchArgs, type NativeAddon, nativeAddon, nativeAddonProblem } from './native-addon.js';

/** The native addon as a FileReader. */
export class NativeReader implements FileReader {
  readonly #addon: NativeAddon;
  constructor(addon: NativeAddon) {
    this.#addon = addon;
  }
  readFiles(list: FileList, buffers: BatchBuffers, deferAbove: number): void {
    this.#addon.readFiles(...batchArgs(list, buffers), deferAbove);
  }
  closeLarge(fd: number): void {
    // Not closeSync: in a worker it warns about every descriptor node:fs did not open.
    const result = this.#addon.closeDescriptor(fd);
    if (result < 0) throw Object.assign(new Error(`close failed (errno ${-result})`), { errno: -result });
  }
  hashFiles(list: FileList, buffers: BatchBuffers, deferAbove: number, target: DigestTarget): void {
    this.#addon.hashFiles(
      ...batchArgs(list, buffers),
      deferAbove,
      target.algorithm,
      target.digests,
      target.byteBudget,
      buffers.reading,
    );
  }
  statFiles(list: FileList, buffers: BatchBuffers): void {
    this.#addon.statFiles(...batchArgs(list, buffers));
  }
  readonly readsXattrs = true;
  xattrFiles(list: FileList, buffers: BatchBuffers): void {
    this.#addon.xattrFiles(...batchArgs(list, buffers));
  }
  canHash(algorithm: string): boolean {
    // OpenSSL's digests are always there; BLAKE3 when its C sources were compiled in.
    return algorithm !== BLAKE3_IN_READER || this.#addon.blake3 !== undefined;
  }
}

function batchArgs(list: FileList, b: BatchBuffers): BatchArgs {
  return [list.paths, list.flags, list.bases, b.cursor, b.arena, b.records, b.stats];
}

let chosen: FileReader | undefined;

/**
 * Why this process records no extended attributes (the JavaScript reader cannot read them),
 * or undefined when it does. The main thread asks this; its workers choose their reader alike.
 */
export function xattrsUnreadableBecause(): string | undefined {
  return fileReader().readsXattrs ? undefined : `only the native reader reads them, and it is ${nativeAddonProblem()}`;
}

/** This thread's reader: the native one when the addon loaded, else the JavaScript one. */
export function fileReader(): FileReader {
  if (chosen === undefined) {
    const addon = nativeAddon();
    chosen = addon ? new NativeReader(addon) : new JsReader();
  }
  return chosen;
}
