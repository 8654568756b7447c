/**
 * One lock file of a repository: who holds it ({pid, host, time, exclusive, command}), read
 * back as untrusted input, and when it is stale. Lock files are plain JSON, not sealed: they
 * hold nothing the config (its host) and file times do not already show, and keeping them
 * readable lets `vigil unlock` and the "locked by" message work without the password.
 */
import { hostname } from 'node:os';
import { StorageError } from '../errors.js';
import type { Storage } from '../storage/storage.js';

/** What a lock file says about the run that holds it. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder last wrote (took or refreshed) the lock: ISO 8601. */
  readonly time: string;
  readonly exclusive: boolean;
  /** The vigil command holding it ("forget", "verify"...), for messages. */
  readonly command: string;
}

/** A lock not refreshed for this long is stale, whichever host holds it (restic's 30 minutes). */
export const STALE_AFTER_MS = 30 * 60 * 1000;
/** How often a live run rewrites its lock's time: well inside STALE_AFTER_MS. */
export const REFRESH_EVERY_MS = 5 * 60 * 1000;
/** A lock file is a hundred bytes; anything much larger is not one of ours. */
const MAX_LOCK_BYTES = 4096;

/**
 * Writes lock file `name` whole (the storage makes it visible only once complete): a reader
 * never sees half a lock. Not flushed: a lock that a power loss takes away belonged to a run
 * that died with it.
 */
export function writeLockFile(storage: Storage, name: string, holder: LockHolder): Promise<void> {
  return storage.write(name, Buffer.from(`${JSON.stringify(holder)}\n`), { durable: false });
}

/**
 * Rewrites a held lock with the time now. A lock someone removed (vigil unlock, or another
 * run that found it stale) is not made again: the run has lost it, and lock.ts's assertHeld
 * says so before it commits.
 */
export async function refreshLock(storage: Storage, name: string, holder: LockHolder): Promise<void> {
  try {
    if ((await storage.size(name)) !== undefined) {
      await writeLockFile(storage, name, { ...holder, time: new Date().toISOString() });
    }
  } catch {
    // A full or read-only disk, a lost connection: the lock keeps its old time and may go stale; nothing else breaks.
  }
}

/**
 * Reads a lock file. undefined when it is gone (released meanwhile); null when it is not a
 * lock vigil wrote (files are renamed in whole, so a torn one cannot occur): such a file is
 * stale, as no live run refreshes it. `legacy` reads REPO/lock of vigils before locks/:
 * {pid, host, time}, an exclusive lock (those vigils took it to write).
 */
export async function readHolder(
  storage: Storage,
  name: string,
  legacy = false,
): Promise<LockHolder | null | undefined> {
  let text: string;
  try {
    const size = await storage.size(name);
    if (size === undefined) return undefined;
    if (size > MAX_LOCK_BYTES) return null;
    text = (await storage.read(name, MAX_LOCK_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof StorageError && error.missing) return undefined;
    throw error;
  }
  let value: Partial<LockHolder>;
  try {
    value = JSON.parse(text) as Partial<LockHolder>;
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { pid, host, time } = value;
  if (!Number.isSafeInteger(pid) || typeof host !== 'string' || typeof time !== 'string') return null;
  if (Number.isNaN(Date.parse(time))) return null;
  if (legacy) return { pid: pid as number, host, time, exclusive: true, command: 'backup or forget (an older vigil)' };
  if (typeof value.exclusive !== 'boolean' || typeof value.command !== 'string') return null;
  return { pid: pid as number, host, time, exclusive: value.exclusive, command: value.command.slice(0, 64) };
}

/**
 * Stale: not refreshed for `staleMs` (any host: a crashed run elsewhere does not hold the
 * repository for ever), or held by a process of this host that no longer exists.
 */
export function isStale(holder: LockHolder | null, staleMs: number, now = Date.now()): boolean {
  if (holder === null) return true;
  if (now - Date.parse(holder.time) > staleMs) return true;
  if (holder.host !== hostname()) return false;
  if (holder.pid <= 0) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}
