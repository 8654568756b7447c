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
 * A held lock's time is rewritten every few minutes by an unref'd timer, so it goes stale 30
 * minutes after its run died, on whichever host. REPO/lock, the single lock of vigils before
 * locks/, is honoured as an exclusive lock and removed once stale.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RepositoryError, RepositoryLockedError } from '../errors.js';
import { formatHolder, isStale, type LockHolder, REFRESH_EVERY_MS, readHolder, STALE_AFTER_MS } from './lock-file.js';

export type LockKind = 'shared' | 'exclusive';

export interface LockOptions {
  /** The vigil command taking it, named to whoever it blocks. */
  readonly command: string;
  /** How often to rewrite the lock's time (tests make it short to watch it move). */
  readonly refreshMs?: number;
  /** When another's lock counts as stale (tests give a short one). */
  readonly staleMs?: number;
  /** Awaited once the lock is held (tests pause a run there). */
  readonly onTaken?: ((kind: LockKind) => Promise<void>) | undefined;
}

interface RepositoryRoot {
  readonly root: string;
}

const LOCK_NAME = /^[0-9a-f]{64}$/;

/** The folder of lock files, and the single lock of vigils before it. */
export const locksDir = (root: string) => join(root, 'locks');
export const legacyLockPath = (root: string) => join(root, 'lock');

export class RepositoryLock {
  readonly #path: string;
  readonly #holder: LockHolder;
  readonly #timer: NodeJS.Timeout;
  #held = true;

  private constructor(path: string, holder: LockHolder, refreshMs: number) {
    this.#path = path;
    this.#holder = holder;
    this.#timer = setInterval(() => this.refresh(), refreshMs);
    this.#timer.unref();
  }

  /** Takes a lock of `kind`; throws RepositoryLockedError if a live run holds one that conflicts. */
  static acquire(repo: RepositoryRoot, kind: LockKind, options: LockOptions): RepositoryLock {
    const dir = locksDir(repo.root);
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      time: new Date().toISOString(),
      exclusive: kind === 'exclusive',
      command: options.command,
    };
    const name = randomBytes(32).toString('hex');
    const path = join(dir, name);
    try {
      mkdirSync(dir, { recursive: true });
      writeLockFile(path, holder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new RepositoryError(
        `cannot write a lock in ${dir} (${code}): vigil needs write access to the repository, even to read it`,
        { cause: error },
      );
    }
    const staleMs = options.staleMs ?? STALE_AFTER_MS;
    let conflict: LockHolder | undefined;
    for (const { path: other, holder: theirs } of otherLocks(repo.root, name)) {
      if (isStale(theirs, staleMs)) removeIfThere(other);
      else if (theirs !== null && (holder.exclusive || theirs.exclusive)) conflict ??= theirs;
    }
    if (conflict !== undefined) {
      removeIfThere(path);
      throw new RepositoryLockedError(repo.root, conflict);
    }
    return new RepositoryLock(path, holder, options.refreshMs ?? REFRESH_EVERY_MS);
  }

  /** Rewrites the lock's time. A lock someone removed (vigil unlock) is not made again. */
  refresh(): void {
    if (!this.#held) return;
    if (readHolder(this.#path) === undefined) return;
    try {
      writeLockFile(this.#path, { ...this.#holder, time: new Date().toISOString() });
    } catch {
      // A full or read-only disk: the lock keeps its old time and may go stale; nothing else breaks.
    }
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    clearInterval(this.#timer);
    removeIfThere(this.#path);
  }
}

/** Runs `fn` holding a lock of `kind` on the repository; releases it however `fn` ends. */
export async function withRepositoryLock<T>(
  repo: RepositoryRoot,
  kind: LockKind,
  options: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = RepositoryLock.acquire(repo, kind, options);
  try {
    await options.onTaken?.(kind);
    return await fn();
  } finally {
    lock.release();
  }
}

/** `vigil unlock`: removes the stale locks (or, with `all`, every lock); returns how many. */
export function removeLocks(root: string, all: boolean, staleMs = STALE_AFTER_MS): number {
  let removed = 0;
  for (const { path, holder } of otherLocks(root, '')) {
    if (all || isStale(holder, staleMs)) removed += removeIfThere(path) ? 1 : 0;
  }
  // Temp files of a run killed between writing and renaming its lock.
  const dir = locksDir(root);
  for (const name of listNames(dir)) if (name.endsWith('.tmp')) removeIfThere(join(dir, name));
  return removed;
}

/** Every lock but `own`: the files of locks/ and the old REPO/lock. */
function otherLocks(root: string, own: string): { path: string; holder: LockHolder | null }[] {
  const dir = locksDir(root);
  const found: { path: string; holder: LockHolder | null }[] = [];
  for (const name of listNames(dir)) {
    if (name === own || !LOCK_NAME.test(name)) continue;
    const holder = readHolder(join(dir, name));
    if (holder !== undefined) found.push({ path: join(dir, name), holder });
  }
  const legacy = readHolder(legacyLockPath(root), true);
  if (legacy !== undefined) found.push({ path: legacyLockPath(root), holder: legacy });
  return found;
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Written whole under a temp name and renamed: a reader never sees half a lock. */
function writeLockFile(path: string, holder: LockHolder): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, formatHolder(holder), { mode: 0o644 });
  renameSync(temp, path);
}

function removeIfThere(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
