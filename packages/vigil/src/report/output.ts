/**
 * Buffered output to a stream: many small writes (one line per file) become a few large
 * ones, and the stream's backpressure is exposed so the pipeline can hold the walk back
 * instead of queueing output in memory.
 *
 * Writes are copied into one arena of FLUSH_AT_BYTES, handed to the stream whole when full:
 * no Buffer per line and no concat. `reserve` lets a hot path (checksum lines) write its
 * bytes straight into the arena.
 */
import type { Writable } from 'node:stream';

const FLUSH_AT_BYTES = 64 * 1024;
const COPY_OUT_BYTES = 4 * 1024;

export class BufferedOutput {
  readonly #stream: Writable;
  #arena = Buffer.allocUnsafe(FLUSH_AT_BYTES);
  #used = 0;
  #blocked: Promise<void> | undefined;
  #broken = false;

  constructor(stream: Writable) {
    this.#stream = stream;
    // A reader that went away (`vigil hash | head`) is not an error of ours: stop writing.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.#broken = true;
      else throw error;
    });
  }

  write(chunk: Buffer | string): void {
    // reserve() first: it may hand the arena over and take a new one.
    if (typeof chunk === 'string') {
      const bytes = Buffer.byteLength(chunk, 'utf8');
      const at = this.reserve(bytes);
      this.#arena.write(chunk, at, bytes, 'utf8');
    } else {
      const at = this.reserve(chunk.length);
      chunk.copy(this.#arena, at);
    }
  }

  /**
   * Room for `bytes` more bytes: returns where they start in `arena`, counted as written. The
   * caller fills exactly them before its next call on this output.
   */
  reserve(bytes: number): number {
    if (this.#used + bytes > this.#arena.length) {
      this.flush();
      // A write bigger than the arena gets an arena of its own, handed over at the next flush.
      if (bytes > this.#arena.length) this.#arena = Buffer.allocUnsafe(bytes);
    }
    const at = this.#used;
    this.#used += bytes;
    return at;
  }

  /** What `reserve` returned an offset into (valid until the next call on this output). */
  get arena(): Buffer {
    return this.#arena;
  }

  flush(): void {
    if (this.#used === 0) return;
    // The stream keeps `data` until written. A full arena is handed over and a new one taken;
    // a little (a flush before each diagnostic) is copied out, so the arena is kept.
    let data: Buffer;
    if (this.#used <= COPY_OUT_BYTES) {
      data = Buffer.from(this.#arena.subarray(0, this.#used));
    } else {
      data = this.#arena.subarray(0, this.#used);
      this.#arena = Buffer.allocUnsafe(FLUSH_AT_BYTES);
    }
    this.#used = 0;
    if (this.#broken) return;
    if (!this.#stream.write(data) && this.#blocked === undefined) {
      this.#blocked = new Promise((resolve) => {
        const done = () => {
          this.#stream.off('drain', done);
          this.#stream.off('close', done);
          this.#blocked = undefined;
          resolve();
        };
        this.#stream.on('drain', done);
        this.#stream.on('close', done);
      });
    }
  }

  /** A promise while the stream is full, else undefined. */
  get blocked(): Promise<void> | undefined {
    return this.#broken ? undefined : this.#blocked;
  }

  /** Flushes and waits until the stream took everything. */
  async end(): Promise<void> {
    this.flush();
    while (this.#blocked) await this.#blocked;
  }
}
