/** A call's AbortSignal and deadline, turned into one cancellation callback. */
import { AbortError, TimeoutError } from '../errors.js';
import { describeValue } from '../util/check-options.js';

/** Options every pool call accepts. */
export interface CancelOptions {
  /** Cancels the call: queued work is dropped, running work's worker is replaced. */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds the whole call may take before it rejects with TimeoutError. */
  readonly timeout?: number | undefined;
}

export class CallGuard {
  private timer: NodeJS.Timeout | undefined;
  private abortListener: (() => void) | undefined;

  private constructor(
    private readonly signal: AbortSignal | undefined,
    cancel: (error: Error) => void,
    timeout: number | undefined,
    what: string,
  ) {
    if (signal) {
      this.abortListener = () => cancel(abortErrorFrom(signal));
      signal.addEventListener('abort', this.abortListener, { once: true });
    }
    if (timeout !== undefined) {
      this.timer = setTimeout(() => cancel(new TimeoutError(`${what} did not finish within ${timeout} ms`)), timeout);
    }
  }

  /**
   * Returns a guard for the call, or undefined when it needs none. Throws AbortError if
   * the signal is already aborted and RangeError for a bad timeout.
   */
  static create(
    options: CancelOptions | undefined,
    cancel: (error: Error) => void,
    what: string,
  ): CallGuard | undefined {
    const signal = options?.signal;
    const timeout = options?.timeout;
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && Number.isFinite(timeout))) {
      throw new RangeError(
        `${what}: timeout must be a finite number of milliseconds >= 0, got ${describeValue(timeout)}`,
      );
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`${what}: option signal must be an AbortSignal, got ${describeValue(signal)}`);
    }
    if (signal?.aborted) throw abortErrorFrom(signal);
    if (signal === undefined && timeout === undefined) return undefined;
    return new CallGuard(signal, cancel, timeout, what);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.abortListener) this.signal?.removeEventListener('abort', this.abortListener);
    this.timer = undefined;
    this.abortListener = undefined;
  }
}

function abortErrorFrom(signal: AbortSignal): AbortError {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? `: ${reason.message}` : '';
  return new AbortError(`the call was aborted${detail}`, { cause: reason });
}
