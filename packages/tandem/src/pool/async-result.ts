/** AsyncResult: the handle applyAsync returns, as Python's apply_async does. */
import { AbortError, InvalidStateError, TimeoutError } from '../errors.js';

type State<T> =
  | { readonly kind: 'pending' }
  | { readonly kind: 'fulfilled'; readonly value: T }
  | { readonly kind: 'rejected'; readonly error: unknown };

/**
 * The pending result of one task. Await it (it is a PromiseLike), or poll it with
 * `ready()`, `get(ms)` and `wait(ms)`. A failure nobody asks about is not reported as an
 * unhandled rejection.
 */
export class AsyncResult<T> implements PromiseLike<T> {
  readonly #promise: Promise<T>;
  readonly #cancel: (error: Error) => boolean;
  #state: State<T> = { kind: 'pending' };

  /** @internal */
  constructor(promise: Promise<T>, cancel: (error: Error) => boolean) {
    this.#cancel = cancel;
    this.#promise = promise.then(
      (value) => {
        this.#state = { kind: 'fulfilled', value };
        return value;
      },
      (error: unknown) => {
        this.#state = { kind: 'rejected', error };
        throw error;
      },
    );
    this.#promise.catch(() => {});
  }

  // biome-ignore lint/suspicious/noThenProperty: AsyncResult is deliberately awaitable.
  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#promise.then(onFulfilled, onRejected);
  }

  /**
   * The result. With `timeoutMs`, rejects with TimeoutError if the task has not settled
   * by then; the task itself runs on.
   */
  get(timeoutMs?: number): Promise<T> {
    if (timeoutMs === undefined || this.#state.kind !== 'pending') return this.#promise;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TimeoutError(`the result was not ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Resolves to whether the task settled within `timeoutMs` (forever if omitted); never rejects. */
  wait(timeoutMs?: number): Promise<boolean> {
    const settled = this.#promise.then(
      () => true,
      () => true,
    );
    if (timeoutMs === undefined || this.#state.kind !== 'pending') return settled;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      void settled.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Whether the task has settled. */
  ready(): boolean {
    return this.#state.kind !== 'pending';
  }

  /** Whether the task succeeded. Throws InvalidStateError while it is still pending, as Python does. */
  successful(): boolean {
    if (this.#state.kind === 'pending')
      throw new InvalidStateError('successful() was called before the result was ready');
    return this.#state.kind === 'fulfilled';
  }

  /**
   * Cancels the task: dropped if still queued, its worker replaced if running. The result
   * rejects with AbortError. Returns false if it had already settled.
   */
  cancel(): boolean {
    return this.#cancel(new AbortError('the task was cancelled with AsyncResult.cancel()'));
  }
}
