/**
 * Inside a worker: the result of one hashing batch, filled in path by path from what the
 * file-system layer's reader made of each.
 */
import type { ReadOutcome } from '../fs/batch-reads.js';
import type { FileFailure } from '../fs/failures.js';
import { type FileProblem, FileStatus, type HashBatchResult, type LinkedFile } from './batch-protocol.js';
import type { Digester } from './digesters.js';

export class BatchResults {
  readonly #status: Uint8Array;
  readonly #digests: Uint8Array;
  readonly #sizes: Float64Array;
  readonly #digestBytes: number;
  readonly #problems: FileProblem[] = [];
  readonly #links: LinkedFile[] = [];
  readonly #kinds: Record<number, string> = {};

  constructor(count: number, digestBytes: number) {
    this.#status = new Uint8Array(count);
    this.#digests = new Uint8Array(count * digestBytes);
    this.#sizes = new Float64Array(count);
    this.#digestBytes = digestBytes;
  }

  /** The digests array: a reader that hashes (OpenSSL) writes path i's digest at i x digest length itself. */
  get digests(): Uint8Array {
    return this.#digests;
  }

  /**
   * Records what the reader made of path i. For `read` and `large` with a `digester`, the
   * file's bytes went into it: its digest is taken (and the digester reset); without one,
   * the digest is already in `digests`.
   */
  record(i: number, outcome: ReadOutcome, digester?: Digester): void {
    switch (outcome.kind) {
      case 'read':
      case 'large':
        this.#status[i] = FileStatus.hashed;
        digester?.finishInto(this.#digests, i * this.#digestBytes);
        this.#sizes[i] = outcome.size;
        break;
      case 'failed':
      case 'changed':
        this.failed(i, outcome.failure);
        break;
      case 'notRegular':
        this.#status[i] = FileStatus.notRegular;
        this.#kinds[i] = outcome.what;
        break;
      case 'tooBig':
        this.#status[i] = FileStatus.sendAlone;
        break;
      case 'linked':
        this.#status[i] = FileStatus.linked;
        this.#links.push({ index: i, dev: outcome.dev, ino: outcome.ino, nlink: outcome.nlink });
        break;
    }
  }

  failed(i: number, failure: FileFailure): void {
    this.#status[i] = FileStatus.failed;
    this.#problems.push({ index: i, code: failure.code, message: failure.message });
  }

  /** A file that failed half-way leaves state in the reused digester: drop it. */
  dropDigest(i: number, digester: Digester): void {
    digester.finishInto(this.#digests, i * this.#digestBytes);
  }

  /** Paths from `from` on are not attempted: the batch did its share of bytes. */
  sendLater(from: number): void {
    this.#status.fill(FileStatus.sendLater, from);
  }

  toResult(): HashBatchResult {
    return {
      status: this.#status,
      digests: this.#digests,
      sizes: this.#sizes,
      problems: this.#problems,
      links: this.#links,
      kinds: this.#kinds,
    };
  }
}
