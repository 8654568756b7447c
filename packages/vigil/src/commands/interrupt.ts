/**
 * Ctrl-C (SIGINT) and SIGTERM: the one place vigil installs a signal handler. One handler per
 * process, installed by the first of
 * - a command with something of its own to undo (`onInterrupt`: a half-written baseline
 *   database, backup's message), and
 * - the opening of a remote repository (`removeStagingOnInterrupt`, wired in program.ts), so
 *   every command on SFTP or S3 (backup, copy, forget and prune, restore, verify...) removes
 *   its local staging folder, which its storage's close would have removed, had it run.
 * - a repository lock taken (`releaseLocksOnInterrupt`, wired in program.ts), so that no command
 *   leaves its lock behind to block forget and prune until it goes stale (30 minutes).
 * It releases the held locks first (over SFTP or S3 a round trip: it waits up to
 * RELEASE_WAIT_MS; a run whose lock is released can no longer commit, lock.ts's assertHeld),
 * then runs the commands' cleanups (newest first), removes the staging folders, and exits 130.
 * A second Ctrl-C meets no handler (it was installed once) and ends the process at once.
 * Once a remote repository was opened the handler stays to the end of the process; otherwise
 * it goes with the last cleanup, and Ctrl-C is Node's default again (a local `vigil hash`).
 */
import { ExitCode } from '../exit.js';
import { removeStagingFolders } from '../storage/staging-folder.js';

/** How long Ctrl-C waits for the held locks to be removed before it exits anyway. */
const RELEASE_WAIT_MS = 5000;

const cleanups: (() => void)[] = [];
/** The release of each lock this process holds. */
const locks = new Set<() => Promise<void>>();
let installed = false;
let remoteOpened = false;

function handler(): void {
  const finish = () => {
    for (const cleanup of [...cleanups].reverse()) cleanup();
    removeStagingFolders();
    process.exit(ExitCode.interrupted);
  };
  if (locks.size === 0) {
    finish();
    return;
  }
  const releases = [...locks].map((release) => release().catch(() => {}));
  const timer = setTimeout(finish, RELEASE_WAIT_MS);
  void Promise.all(releases).then(() => {
    clearTimeout(timer);
    finish();
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

function uninstall(): void {
  if (!installed || remoteOpened || cleanups.length > 0 || locks.size > 0) return;
  installed = false;
  process.off('SIGINT', handler);
  process.off('SIGTERM', handler);
}

/**
 * Runs `cleanup` (synchronous: the exit does not wait) if the user presses Ctrl-C, then
 * removes the staging folders and exits 130; returns the function that drops the cleanup once
 * the run is over.
 */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.push(cleanup);
  install();
  return () => {
    const at = cleanups.indexOf(cleanup);
    if (at !== -1) cleanups.splice(at, 1);
    uninstall();
  };
}

/** From now on Ctrl-C removes this process's staging folders before it exits 130 (a remote repository was opened). */
export function removeStagingOnInterrupt(): void {
  remoteOpened = true;
  install();
}

/**
 * Ctrl-C releases the lock `release` releases, until the returned function is called (when
 * the lock is released otherwise).
 */
export function releaseLocksOnInterrupt(release: () => Promise<void>): () => void {
  locks.add(release);
  install();
  return () => {
    locks.delete(release);
    uninstall();
  };
}
