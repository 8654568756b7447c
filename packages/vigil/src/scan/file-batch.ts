/** A batch of files on the main side: what is sent to one hashBatch task, and how to map results back. */

import type { AlgorithmName } from '../checksums/algorithms.js';
import { FILES_PER_BATCH } from '../fs/batch-reads.js';
import { FileListBuilder } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import type { HashBatchRequest } from './batch-protocol.js';
import type { Blake3Mode } from './blake3-mode.js';

export class FileBatch {
  readonly seqs: number[] = [];
  readonly #list = new FileListBuilder();

  add(seq: number, path: Buffer, flags: number, base: number): void {
    this.seqs.push(seq);
    this.#list.add(path, flags, base);
  }

  path(i: number): Buffer {
    return this.#list.paths[i] as Buffer;
  }

  flags(i: number): number {
    return this.#list.flags[i] as number;
  }

  base(i: number): number {
    return this.#list.bases[i] as number;
  }

  get size(): number {
    return this.seqs.length;
  }

  get full(): boolean {
    return this.seqs.length >= FILES_PER_BATCH;
  }

  toRequest(
    algorithm: AlgorithmName,
    blake3?: Blake3Mode,
    reading?: ReadingCounter,
    inMainThread = false,
  ): HashBatchRequest {
    return {
      algorithm,
      list: this.#list.build(),
      ...(blake3 && algorithm === 'blake3' ? { blake3 } : {}),
      ...(reading ? { reading } : {}),
      ...(inMainThread ? { inMainThread } : {}),
    };
  }
}
