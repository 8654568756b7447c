/**
 * Ctrl-C (SIGINT) and SIGTERM: the one place vigil installs a signal handler. One handler per
 * process, installed by the first of
 * - a command with something of its own to undo (`onInterrupt`: a half-written baseline
 *   database, backup's message), and
 * - the opening of a remote repository (`removeStagingOnInterrupt`, wired in program.ts), so
 *   every command on SFTP or S3 (backup, copy, forget and prune, restore, verify...) removes
 *   its local staging folder, which its storage's close would have removed, had it run.
 * It runs the commands' cleanups (newest first), removes the staging folders, and exits 130.
 * A second Ctrl-C meets no handler (it was installed once) and ends the process at once.
 * Once a remote repository was opened the handler stays to the end of the process; otherwise
 * it goes with the last cleanup, and Ctrl-C is Node's default again (a local `vigil hash`).
 */
import { ExitCode } from '../exit.js';
import { removeStagingFolders } from '../storage/staging-folder.js';

const cleanups: (() => void)[] = [];
let installed = false;
let remoteOpened = false;

function handler(): void {
  for (const cleanup of [...cleanups].reverse()) cleanup();
  removeStagingFolders();
  process.exit(ExitCode.interrupted);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

function uninstall(): void {
  if (!installed || remoteOpened || cleanups.length > 0) return;
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
