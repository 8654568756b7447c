/**
 * Pool calls in flight, bounded: counts them, wakes waiters as each settles, and keeps the
 * first failure so the caller stops at its next wait. The hashing and inspecting engines
 * extend it (they send batches and feed results back on their own); a backup run uses one.
 */
import { EngineError } from '../errors.js';

export class InFlight {
  #count = 0;
  #waiters: (() => void)[] = [];
  #failure: EngineError | undefined;

  constructor(readonly max: number) {}

  get count(): number {
    return this.#count;
  }

  /** Counts `call` until it settles; `onResult` takes its value. `what` names the worker in errors. */
  track<T>(call: Promise<T>, onResult: (value: T) => void, what: string): void {
    this.#count++;
    call
      .then(onResult, (error: Error) => {
        this.#failure ??= new EngineError(`${what} failed: ${error.message}`, { cause: error });
      })
      .catch((error: Error) => {
        this.#failure ??= new EngineError(`internal error while handling results: ${error.message}`, { cause: error });
      })
      .finally(() => {
        this.#count--;
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const wake of waiters) wake();
      });
  }

  /** Resolves when some call in flight settles (at once if none is). */
  settled(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Waits until fewer than `max` calls are out. Throws the first failure. */
  async waitForRoom(): Promise<void> {
    while (this.#count >= this.max && this.#failure === undefined) await this.settled();
    if (this.#failure) throw this.#failure;
  }

  /** Waits until every call (and everything sent from their results) settled. Throws the first failure. */
  async drain(): Promise<void> {
    while (this.#count > 0) await this.settled();
    if (this.#failure) throw this.#failure;
  }
}
