/** The `lock` option of Value and SharedArray, as Python's: true (a new RLock), false (none), or a lock to use. */
import { InvalidStateError } from '../errors.js';
import { Lock } from '../sync/lock.js';
import { RLock } from '../sync/rlock.js';
import { checkOptionNames, describeValue } from '../util/check-options.js';

export interface LockOption {
  readonly lock?: boolean | Lock | RLock;
}

/** The lock `options` asks for; a TypeError naming the option for anything else. */
export function lockFromOptions(owner: string, options: LockOption | undefined): Lock | RLock | undefined {
  checkOptionNames(owner, options, ['lock']);
  const lock: unknown = options?.lock ?? true;
  if (lock === true) return new RLock();
  if (lock === false) return undefined;
  if (lock instanceof Lock || lock instanceof RLock) return lock;
  throw new TypeError(`${owner}: option lock must be true, false, a Lock or an RLock, got ${describeValue(lock)}`);
}

/** The lock a Value or SharedArray was made with; InvalidStateError if made with `{ lock: false }`. */
export function requireLock(kind: string, lock: Lock | RLock | undefined): Lock | RLock {
  if (lock === undefined) throw new InvalidStateError(`this ${kind} was made with { lock: false }: it has no lock`);
  return lock;
}

/**
 * Runs `access` holding `lock`, or as it is when there is none or the object is a proxy in a
 * child process (the parent's object takes its own lock there).
 */
export function underLock<R>(lock: Lock | RLock | undefined, remote: unknown, access: () => Promise<R>): Promise<R> {
  return remote || lock === undefined ? access() : lock.withLock(access);
}
