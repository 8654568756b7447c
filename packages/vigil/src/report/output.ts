/**
 * Buffered output to a stream: many small writes (one line per file) become a few large
 * ones, and the stream's backpressure is exposed so the pipeline can hold the walk back
 * instead of queueing output in memory.
 */
import type { Writable } from 'node:stream';

const FLUSH_AT_BYTES = 64 * 1024;

export class BufferedOutput {
  readonly #stream: Writable;
  #chunks: Buffer[] = [];
  #bytes = 0;
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
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.#chunks.push(bytes);
    this.#bytes += bytes.length;
    if (this.#bytes >= FLUSH_AT_BYTES) this.flush();
  }

  flush(): void {
    if (this.#bytes === 0) return;
    const data = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks = [];
    this.#bytes = 0;
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
