/**
 * Repository locks, restic's way: REPO/locks/ holds one file per run that uses the
 * repository, {pid, host, time, exclusive, command} (lock-file.ts). Readers and backup (which
 * only adds) take shared locks; forget and prune, which remove, take the exclusive one.
 *
 * To take a lock, a run writes its file (to a temp name, renamed into place: a lock that
 * exists is never half-written), then lists the others: an exclusive lock conflicts with any
 * other live lock, a shared one only with an exclusive one. On a conflict it removes its own
 * and fails naming the holder. Of two runs that write at the same moment, each sees the
 * other's file when it lists, so they cannot both pass; they may both fail, and the next try
 * settles it. Stale locks met on the way (lock-file.ts's isStale) are removed.
 *
 * A held lock's time is rewritten every few minutes by a thread of its own (lock-refresher.ts),
 * so it goes stale 30 minutes after its run died, on whichever host. REPO/lock, the single lock of vigils before
 * locks/, is honoured as an exclusive lock and removed once stale.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RepositoryError, RepositoryLockedError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import {
  isStale,
  type LockHolder,
  REFRESH_EVERY_MS,
  readHolder,
  refreshLock,
  STALE_AFTER_MS,
  writeLockFile,
} from './lock-file.js';
import { RefreshState } from './lock-state.js';

export type LockKind = 'shared' | 'exclusive';

export interface LockOptions {
  /** The vigil command taking it, named to whoever it blocks. */
  readonly command: string;
  /**
   * Who rewrites the lock's time: a thread of its own (the default: 20 ms to start, and it keeps
   * the lock fresh through any synchronous stretch of the command, such as verify's reading),
   * or a timer of the main thread, for commands that never block it for long (snapshots; ls,
   * find and diff, whose walks await each tree read): starting the thread costs about 0.1 s
   * of CPU, a tenth of an `ls`. Or the thread started only after LATER_THREAD_MS, for commands
   * that never block the main thread for long but may run for hours (backup: a second backup
   * of /usr/share is over in 2-3 s, and paid for two threads' start, its lock and rotation's;
   * restore, whose files are the workers' work).
   */
  readonly refresher?: 'thread' | 'later-thread' | 'timer';
  /** How often to rewrite the lock's time (tests make it short to watch it move). */
  readonly refreshMs?: number;
  /** When another's lock counts as stale (tests give a short one). */
  readonly staleMs?: number;
  /** Awaited once the lock is held (tests pause a run there). */
  readonly onTaken?: ((kind: LockKind) => Promise<void>) | undefined;
}

interface RepositoryRoot {
  readonly root: string;
  readonly storage: Storage;
}

const LOCK_NAME = /^[0-9a-f]{64}$/;

/** The folder of lock files, and the single lock of vigils before it. */
export const LOCKS_DIR = 'locks';
export const LEGACY_LOCK = 'lock';

/** Told of each lock taken in this thread (program.ts: Ctrl-C releases it); returns what to call once it is released. */
let lockListener: ((release: () => Promise<void>) => () => void) | undefined;

/** `listener` hears of every lock taken from now on, with its release; what it returns is called on release. */
export function whenLockTaken(listener: (release: () => Promise<void>) => () => void): void {
  lockListener = listener;
}

/** How long a 'later-thread' lock goes before its refresher thread starts (well under REFRESH_EVERY_MS). */
export const LATER_THREAD_MS = 10_000;

export class RepositoryLock {
  readonly #name: string;
  readonly #root: string;
  readonly #storage: Storage;
  readonly #state = new Int32Array(new SharedArrayBuffer(4));
  /** The refresher thread, once started. */
  #worker: Worker | undefined;
  /** The refresh timer of the main thread, or the one that starts the thread later. */
  #timer: NodeJS.Timeout | undefined;
  #held = true;
  readonly #forget: () => void;

  private constructor(repo: RepositoryRoot, name: string, holder: LockHolder, options: LockOptions) {
    this.#root = repo.root;
    this.#storage = repo.storage;
    this.#name = name;
    const refreshMs = options.refreshMs ?? REFRESH_EVERY_MS;
    const startThread = () => {
      this.#timer = undefined;
      this.#worker = new Worker(new URL('./lock-refresher.js', import.meta.url), {
        workerData: { location: repo.root, name, holder, refreshMs, state: this.#state.buffer },
      });
      this.#worker.on('error', () => {});
      // Never what keeps the process alive; a refresher that fails only lets the lock age.
      this.#worker.unref();
    };
    this.#forget = lockListener?.(() => this.release()) ?? (() => {});
    if (options.refresher === 'timer') {
      this.#timer = setInterval(() => void refreshLock(repo.storage, name, holder), refreshMs).unref();
    } else if (options.refresher === 'later-thread') {
      this.#timer = setTimeout(startThread, Math.min(LATER_THREAD_MS, refreshMs)).unref();
    } else {
      startThread();
    }
  }

  /** Takes a lock of `kind`; throws RepositoryLockedError if a live run holds one that conflicts. */
  static async acquire(repo: RepositoryRoot, kind: LockKind, options: LockOptions): Promise<RepositoryLock> {
    const dir = `${repo.root}/${LOCKS_DIR}`;
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      time: new Date().toISOString(),
      exclusive: kind === 'exclusive',
      command: options.command,
    };
    const name = randomBytes(32).toString('hex');
    const path = `${LOCKS_DIR}/${name}`;
    try {
      await writeLockFile(repo.storage, path, holder);
    } catch (error) {
      throw new RepositoryError(
        `cannot write a lock in ${dir} (${(error as Error).message}): vigil needs write access to the repository, even to read it`,
        { cause: error },
      );
    }
    const staleMs = options.staleMs ?? STALE_AFTER_MS;
    let conflict: LockHolder | undefined;
    for (const { name: other, holder: theirs } of await otherLocks(repo.storage, name)) {
      if (isStale(theirs, staleMs)) await repo.storage.remove(other, { durable: false });
      else if (theirs !== null && (holder.exclusive || theirs.exclusive)) conflict ??= theirs;
    }
    if (conflict !== undefined) {
      await repo.storage.remove(path, { durable: false });
      throw new RepositoryLockedError(repo.root, conflict);
    }
    return new RepositoryLock(repo, path, holder, options);
  }

  /**
   * Throws unless the lock file is still there: a run that lost its lock (removed by vigil
   * unlock, or by another run that found it stale) may have had an exclusive run prune beside
   * it, so it must not commit.
   */
  async assertHeld(): Promise<void> {
    if (this.#held && (await this.#storage.size(this.#name)) !== undefined) return;
    throw new RepositoryError(
      `this run's lock in ${this.#root}/${LOCKS_DIR} was removed while it ran (by vigil unlock, or as stale by ` +
        'another run): nothing was committed; run it again',
    );
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    clearTimeout(this.#timer); // an interval too; a thread not started yet never will be
    if (this.#worker !== undefined) {
      // A refresh in progress is a write and a rename: wait it out, then bar any later one.
      const { slot, idle, writing, released } = RefreshState;
      while (Atomics.compareExchange(this.#state, slot, idle, released) === writing) {
        Atomics.wait(this.#state, slot, writing, 100);
      }
      void this.#worker.terminate();
    }
    try {
      await this.#storage.remove(this.#name, { durable: false });
    } catch {
      // The lock stays behind and goes stale; the command's own outcome matters more.
    } finally {
      this.#forget();
    }
  }
}

/** Runs `fn` holding a lock of `kind` on the repository; releases it however `fn` ends. */
export async function withRepositoryLock<T>(
  repo: RepositoryRoot,
  kind: LockKind,
  options: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await RepositoryLock.acquire(repo, kind, options);
  try {
    await options.onTaken?.(kind);
    return await fn();
  } finally {
    await lock.release();
  }
}

/** `vigil unlock`: removes the stale locks (or, with `all`, every lock); returns how many. */
export async function removeLocks(storage: Storage, all: boolean, staleMs = STALE_AFTER_MS): Promise<number> {
  let removed = 0;
  for (const { name, holder } of await otherLocks(storage, '')) {
    if (all || isStale(holder, staleMs)) removed += (await storage.remove(name)) ? 1 : 0;
  }
  // Temp files of a run of an earlier vigil killed between writing and renaming its lock.
  for (const name of await storage.list(LOCKS_DIR)) {
    if (name.endsWith('.tmp')) await storage.remove(`${LOCKS_DIR}/${name}`);
  }
  return removed;
}

/** Every lock but `own`: the files of locks/ and the old REPO/lock. */
async function otherLocks(storage: Storage, own: string): Promise<{ name: string; holder: LockHolder | null }[]> {
  const found: { name: string; holder: LockHolder | null }[] = [];
  for (const name of await storage.list(LOCKS_DIR)) {
    if (name === own || !LOCK_NAME.test(name)) continue;
    const holder = await readHolder(storage, `${LOCKS_DIR}/${name}`);
    if (holder !== undefined) found.push({ name: `${LOCKS_DIR}/${name}`, holder });
  }
  const legacy = await readHolder(storage, LEGACY_LOCK, true);
  if (legacy !== undefined) found.push({ name: LEGACY_LOCK, holder: legacy });
  return found;
}
