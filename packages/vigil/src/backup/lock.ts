/**
 * The repository lock: REPO/lock holds {pid, host, time} of the run that writes the
 * repository (backup, forget). It is written whole to a temp name and hard-linked to
 * REPO/lock; link(2) fails if the name exists, so of two runs only one gets it, and a lock
 * that exists is never half-written.
 * A lock whose process no longer exists on this host (kill -9, power loss) is stale and is
 * taken over; a lock from another host cannot be checked and is respected.
 *
 * Taking over is remove-then-create, so two runs taking over the same stale lock at once
 * race only on the link, which settles it: one wins, the other sees a live lock.
 * (The read-check-remove has a window in which a third run could have replaced the stale
 * lock; it needs three runs within microseconds and is accepted.)
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { RepositoryError, RepositoryLockedError } from '../errors.js';

interface LockHolder {
  pid: number;
  host: string;
  time: string;
}

export class RepositoryLock {
  readonly #path: string;
  #held = true;

  private constructor(path: string) {
    this.#path = path;
  }

  /** Takes the lock, taking over a stale one; throws RepositoryLockedError if a live run holds it. */
  static acquire(repo: { readonly root: string; readonly lockPath: string }): RepositoryLock {
    const path = repo.lockPath;
    const me: LockHolder = { pid: process.pid, host: hostname(), time: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      const temp = `${path}.${process.pid}.tmp`;
      const fd = openSync(temp, 'w', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(temp, path);
        return new RepositoryLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(temp);
      }
      const holder = readHolder(path);
      if (holder === undefined) continue; // removed meanwhile: try again
      if (isAlive(holder)) throw new RepositoryLockedError(repo.root, holder);
      try {
        unlinkSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new RepositoryError(`could not take the lock ${path}: it keeps changing hands; try again`);
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      unlinkSync(this.#path);
    } catch {
      // Already gone (removed by hand): nothing to release.
    }
  }
}

function readHolder(path: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as LockHolder;
    if (Number.isInteger(parsed.pid) && typeof parsed.host === 'string') return parsed;
  } catch {
    // Not written by vigil (locks are linked in whole): treat as held by no live process.
  }
  return { pid: 0, host: hostname(), time: 'unknown' };
}

function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  if (holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
