/**
 * The local folder where a remote storage (SFTP, S3) builds packs before uploading them:
 * `$TMPDIR/vigil-<kind>-<pid>`, one per process and kind. Worker threads share the process's
 * pid, so the main thread and every worker of a run stage into the same folder without being
 * told its name, and the main thread's close removes it once every upload is done.
 *
 * What removes it:
 * - a normal end or an error: the storage's close (program.ts closes every storage it opened);
 * - Ctrl-C or SIGTERM during any command that opened a remote repository: the interruption
 *   handler (commands/interrupt.ts calls removeStagingFolders before it exits);
 * - a kill -9 or a crash: the next remote run, which removes the folders of processes that
 *   no longer live (sweepStaleStagingFolders).
 *
 * The name is predictable, so it is made 0700 and an existing one is used only if it is a
 * real folder of this user that no one else can write to: otherwise another user could
 * have made it (or a link by its name) in a shared /tmp to read or swap our packs.
 */
import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { StorageError } from '../errors.js';

export type StagingKind = 'sftp' | 's3';

const NAME = /^vigil-(sftp|s3)-(\d+)$/;

/** Open storages of this thread per folder: the last one to close removes it (copy opens two). */
const users = new Map<string, number>();
let swept = false;

/** The staging folder of one storage: made when first asked for, removed when the last of this thread's users closes. */
export class StagingFolder {
  readonly path: string;
  #made = false;
  #released = false;

  constructor(kind: StagingKind, parent: string = tmpdir()) {
    this.path = join(parent, `vigil-${kind}-${process.pid}`);
    users.set(this.path, (users.get(this.path) ?? 0) + 1);
    // Once per process, by its main thread: workers would only repeat it.
    if (isMainThread && !swept) {
      swept = true;
      sweepStaleStagingFolders(parent);
    }
  }

  /** The folder, made (or checked, if another thread made it) on the first call. */
  ensure(): string {
    if (!this.#made) {
      makeOwnFolder(this.path);
      this.#made = true;
    }
    return this.path;
  }

  /**
   * This storage no longer stages: the folder goes when no other storage of this thread uses
   * it. Worker threads never close theirs (a pool's workers are terminated): the main
   * thread's close removes what they staged, once the run has finished with it.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const left = (users.get(this.path) ?? 1) - 1;
    if (left > 0) {
      users.set(this.path, left);
      return;
    }
    users.delete(this.path);
    if (isMainThread) removeQuietly(this.path);
  }
}

/**
 * Removes this process's staging folders at once (an interrupted command, about to exit):
 * synchronous, as the exit will not wait. A worker still writing may leave a file behind:
 * the next run's sweep takes it.
 */
export function removeStagingFolders(): void {
  for (const path of users.keys()) removeQuietly(path);
}

/**
 * Removes the staging folders in `parent` of this user's processes that are gone (killed,
 * crashed): a live process's folder, another user's, or anything else by such a name stays.
 * Returns the folders removed.
 */
export function sweepStaleStagingFolders(parent: string = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(NAME.exec(name)?.[2]);
    if (!Number.isSafeInteger(pid) || pid === process.pid || alive(pid)) continue;
    const path = join(parent, name);
    try {
      const stats = lstatSync(path);
      if (!stats.isDirectory() || stats.uid !== process.getuid?.()) continue;
    } catch {
      continue;
    }
    if (removeQuietly(path)) removed.push(path);
  }
  return removed;
}

/** Whether process `pid` exists: EPERM means it does, as another user's. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function makeOwnFolder(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new StorageError(`cannot make the staging folder ${path} (${(error as Error).message}): check TMPDIR`, {
        cause: error,
      });
    }
  }
  // Made by another thread of this process, or left by a dead process that had our pid.
  const stats = lstatSync(path);
  if (!stats.isDirectory() || stats.uid !== process.getuid?.() || (stats.mode & 0o022) !== 0) {
    throw new StorageError(
      `the staging folder ${path} exists but is not a private folder of this user: ` +
        'remove it, or set TMPDIR to a folder of your own',
    );
  }
}

function removeQuietly(path: string): boolean {
  try {
    rmSync(path, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}
