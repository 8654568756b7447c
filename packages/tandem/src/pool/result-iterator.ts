/** The async iterator imap and imapUnordered return: results one by one, whatever the chunking. */
import type { StreamCall, StreamSink } from './stream-call.js';

const COMPACT_AFTER = 4096;

export class ResultIterator<T> implements AsyncIterableIterator<T>, StreamSink {
  private buffer: unknown[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private error: Error | undefined;
  private ended = false;
  private call: StreamCall | undefined;

  /** @internal Connects the iterator to the stream feeding it. */
  attach(call: StreamCall): void {
    this.call = call;
  }

  push(values: unknown[]): void {
    for (const value of values) this.buffer.push(value);
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve(this.take());
    }
  }

  fail(error: Error): void {
    if (this.waiter && this.head === this.buffer.length) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.ended = true;
      waiter.reject(error);
    } else {
      this.error = error;
    }
  }

  end(): void {
    this.ended = true;
    if (this.waiter && this.head === this.buffer.length) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.buffer.length) return Promise.resolve(this.take());
    if (this.error) {
      const error = this.error;
      this.error = undefined;
      this.ended = true;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Called by `break` or `return` in a for-await loop: stops the stream. */
  return(): Promise<IteratorResult<T>> {
    this.call?.stop();
    this.ended = true;
    this.error = undefined;
    this.buffer = [];
    this.head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(): IteratorResult<T> {
    const value = this.buffer[this.head] as T;
    this.buffer[this.head++] = undefined;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    this.call?.release(1);
    return { value, done: false };
  }
}

/** The sink behind map and starmap: collects results in input order. */
export class ResultCollector implements StreamSink {
  readonly results: unknown[] = [];
  readonly done: Promise<unknown[]>;
  private resolve!: (values: unknown[]) => void;
  private reject!: (error: Error) => void;
  call: StreamCall | undefined;

  constructor() {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  push(values: unknown[]): void {
    for (const value of values) this.results.push(value);
    this.call?.release(values.length);
  }

  fail(error: Error): void {
    this.reject(error);
  }

  end(): void {
    this.resolve(this.results);
  }
}
