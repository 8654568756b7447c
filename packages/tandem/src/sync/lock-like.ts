/**
 * What Condition needs from its lock, Lock or RLock alike: whether a given owner holds it,
 * releasing it entirely (remembering how deep an RLock was held) and taking it back.
 * Owners are THREAD_OWNER for local callers and a broker session's negative id for a child
 * process's calls, which the parent runs on its behalf.
 */
import type { BrokerCaller } from '../shared/shareable.js';
import { runAsync, type Steps } from './waits.js';

export const OWNED_BY: unique symbol = Symbol('tandem.ownedBy');
export const RELEASE_ALL: unique symbol = Symbol('tandem.releaseAll');
export const ACQUIRE_STEPS: unique symbol = Symbol('tandem.acquireSteps');
export const RELEASE_ONE: unique symbol = Symbol('tandem.releaseOne');

export interface LockLike {
  /** Whether `owner` holds the lock (a plain Lock only knows whether anyone does). */
  [OWNED_BY](owner: number): boolean;
  /** Releases one level held by `owner`. */
  [RELEASE_ONE](owner: number): void;
  /** Releases the lock entirely; returns the depth to restore. */
  [RELEASE_ALL](owner: number): number;
  /** Takes the lock for `owner` at `depth`, waiting until `deadline`. */
  [ACQUIRE_STEPS](owner: number, deadline: number, depth: number): Steps<boolean>;
}

/** `{ timeout }` of acquire(): milliseconds, or undefined to wait as long as it takes. */
export interface AcquireOptions {
  /** Give up (resolving false) after this many milliseconds. */
  readonly timeout?: number | undefined;
}

/**
 * Runs `fn` holding `lock` as `owner`: how a brokered Value or SharedArray member takes its
 * lock for the child process that asked, which may already hold it (an RLock) through getLock().
 */
export async function withLockAs<T>(lock: LockLike, owner: number, fn: () => T | Promise<T>): Promise<T> {
  await runAsync(lock[ACQUIRE_STEPS](owner, Number.POSITIVE_INFINITY, 1));
  try {
    return await fn();
  } finally {
    lock[RELEASE_ONE](owner);
  }
}

/**
 * Settles a brokered acquire() that ran for a child process: if the child died while it
 * waited, what it acquired is given back at once rather than held for ever by nobody.
 */
export function acquiredForCaller(
  acquired: Promise<boolean>,
  caller: BrokerCaller,
  giveBack: () => void,
): Promise<boolean> {
  return acquired.then((ok) => {
    if (ok && caller.gone) giveBack();
    return ok;
  });
}

/**
 * A brokered acquire() of a Lock or Semaphore, with the timeout the child process gave:
 * given back if the child died meanwhile (acquiredForCaller). RLock acquires under the
 * child's own owner id instead, so it calls acquiredForCaller itself.
 */
export function acquireForCaller(lock: Acquirable, timeout: unknown, caller: BrokerCaller): Promise<boolean> {
  return acquiredForCaller(lock.acquire({ timeout: timeout as number | undefined }), caller, () => lock.release());
}

/** What withLock() needs: anything that is acquired and released (Lock, RLock, Semaphore, Condition). */
export interface Acquirable {
  acquire(options?: AcquireOptions): Promise<boolean>;
  release(): void;
}

/** Runs `fn` holding `lock`, and releases it however `fn` ends: every withLock() of this package. */
export async function holding<T>(lock: Acquirable, fn: () => T | Promise<T>): Promise<T> {
  await lock.acquire();
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
