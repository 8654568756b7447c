/** A batch of files on the main side: what is sent to one hashBatch task, and how to map results back. */
import type { AlgorithmName } from './algorithms.js';
import { encodePaths, type HashBatchRequest } from './batch-protocol.js';

/** Files per batch: enough that a task carries a few milliseconds of work on small files. */
export const FILES_PER_BATCH = 256;

export class FileBatch {
  readonly seqs: number[] = [];
  readonly paths: Buffer[] = [];
  readonly flags: number[] = [];

  add(seq: number, path: Buffer, flags: number): void {
    this.seqs.push(seq);
    this.paths.push(path);
    this.flags.push(flags);
  }

  get size(): number {
    return this.seqs.length;
  }

  get full(): boolean {
    return this.seqs.length >= FILES_PER_BATCH;
  }

  toRequest(algorithm: AlgorithmName): HashBatchRequest {
    return { algorithm, paths: encodePaths(this.paths), flags: Uint8Array.from(this.flags) };
  }
}
