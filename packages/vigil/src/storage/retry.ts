/**
 * Retrying what a lost connection or a busy server interrupted: a few tries with a backoff
 * that doubles, then an error that names the operation, how often it was tried and the last
 * failure, so a persistent problem is reported as one and not as a random I/O error.
 */
import { StorageError } from '../errors.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** Wait before the second try; doubled before each further one. */
  readonly firstDelayMs: number;
}

/** About 15 s of waiting over 5 tries: a restarting server or a dropped link comes back within it. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 1000 };

/**
 * Runs `step` until it succeeds, retrying while `transient(error)` says the failure may pass
 * (`recover` runs before each retry: reconnecting); a permanent failure is thrown as it is.
 */
export async function retrying<T>(
  what: string,
  policy: RetryPolicy,
  transient: (error: unknown) => boolean,
  recover: () => void,
  step: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!transient(error)) throw error;
      if (attempt >= policy.attempts) {
        throw new StorageError(
          `${what}: gave up after ${attempt} tries over ${Math.round(waitedMs(policy, attempt) / 1000)} s ` +
            `(${(error as Error).message}): check that the server is up and reachable, then run again`,
          { cause: error },
        );
      }
      recover();
      await new Promise((resolve) => setTimeout(resolve, policy.firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}

function waitedMs(policy: RetryPolicy, attempts: number): number {
  return policy.firstDelayMs * (2 ** (attempts - 1) - 1);
}
