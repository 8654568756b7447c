/**
 * Inside a worker: the result of one hashing batch, filled in path by path, whichever
 * reader (native or JavaScript) read the files.
 */
import type { Digester } from './algorithms.js';
import { type FileProblem, FileStatus, type HashBatchResult, type LinkedFile } from './batch-protocol.js';
import type { ReadOutcome } from './read-file.js';

export class BatchResults {
  readonly #status: Uint8Array;
  readonly #digests: Uint8Array;
  readonly #sizes: Float64Array;
  readonly #digestBytes: number;
  readonly #problems: FileProblem[] = [];
  readonly #links: LinkedFile[] = [];
  readonly #kinds: Record<number, string> = {};
  /** Bytes hashed so far in this batch (a batch stops starting files past its budget). */
  bytesRead = 0;

  constructor(count: number, digestBytes: number) {
    this.#status = new Uint8Array(count);
    this.#digests = new Uint8Array(count * digestBytes);
    this.#sizes = new Float64Array(count);
    this.#digestBytes = digestBytes;
  }

  /** Path i was read whole into the digester: its digest is taken (and the digester reset). */
  hashed(i: number, size: number, digester: Digester): void {
    this.#status[i] = FileStatus.hashed;
    digester.finishInto(this.#digests, i * this.#digestBytes);
    this.#sizes[i] = size;
    this.bytesRead += size;
  }

  /** The digests array, for a reader that writes path i's digest at i x digest length itself. */
  get digests(): Uint8Array {
    return this.#digests;
  }

  /** Path i was hashed, its digest already written into `digests`. */
  hashedInPlace(i: number, size: number): void {
    this.#status[i] = FileStatus.hashed;
    this.#sizes[i] = size;
    this.bytesRead += size;
  }

  failed(i: number, code: string, message: string): void {
    this.#status[i] = FileStatus.failed;
    this.#problems.push({ index: i, code, message });
  }

  notRegular(i: number, what: string): void {
    this.#status[i] = FileStatus.notRegular;
    this.#kinds[i] = what;
  }

  sendAlone(i: number): void {
    this.#status[i] = FileStatus.sendAlone;
  }

  /** Paths from `from` on are not attempted: the batch did its share of bytes. */
  sendLater(from: number): void {
    this.#status.fill(FileStatus.sendLater, from);
  }

  linked(i: number, dev: number, ino: number, nlink: number): void {
    this.#status[i] = FileStatus.linked;
    this.#links.push({ index: i, dev, ino, nlink });
  }

  /** Records what the JavaScript reader made of path i. */
  record(i: number, outcome: ReadOutcome, digester: Digester): void {
    switch (outcome.kind) {
      case 'hashed':
        this.hashed(i, outcome.size, digester);
        break;
      case 'failed':
        // A file that failed half-way leaves state in the reused digester: drop it.
        digester.finishInto(this.#digests, i * this.#digestBytes);
        this.failed(i, outcome.code, outcome.message);
        break;
      case 'notRegular':
        this.notRegular(i, outcome.what);
        break;
      case 'tooBig':
        this.sendAlone(i);
        break;
      case 'linked':
        this.linked(i, outcome.dev, outcome.ino, outcome.nlink);
        break;
    }
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
