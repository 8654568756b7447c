/**
 * Exit codes, decided here and nowhere else (they are listed in `vigil --help` and the README).
 *
 * - 0: everything was hashed (or verified) and all is well.
 * - 1: some file failed: it could not be read, changed while read, or did not match.
 * - 2: bad usage, or a fatal error that stopped the run (a backup worker died: no snapshot).
 * - 3: backup: the snapshot was kept but is incomplete (a source file could not be read).
 * - 4: backup, forget: another live run holds the repository's lock.
 */
import { RepositoryLockedError, VigilError } from './errors.js';

export const ExitCode = {
  ok: 0,
  someFilesFailed: 1,
  usageOrFatal: 2,
  snapshotIncomplete: 3,
  repositoryLocked: 4,
  /** `vigil check`: changes found (added, removed, modified... or unreadable, unstable). */
  changesFound: 1,
  /** Ended by SIGINT (Ctrl-C) after removing what was half-written: 128 + 2, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What a command found, in the terms exit codes care about. */
export interface RunOutcome {
  /** Files that could not be read, changed while read, or did not verify. */
  readonly failures: number;
  /** Conditions coreutils also treats as failure (e.g. --strict and malformed lines). */
  readonly otherFailure?: boolean;
}

export function exitCodeForOutcome(outcome: RunOutcome): ExitCode {
  return outcome.failures > 0 || outcome.otherFailure ? ExitCode.someFilesFailed : ExitCode.ok;
}

/** `vigil check`: 0 when nothing changed, 1 when anything did (including unreadable entries). */
export function exitCodeForChanges(changes: number): ExitCode {
  return changes > 0 ? ExitCode.changesFound : ExitCode.ok;
}

/**
 * An error that escapes a command ends the run: usage errors, unreadable manifests, a broken
 * worker pool, and bugs alike exit 2. (Per-file failures never escape; they are outcomes.)
 */
export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof RepositoryLockedError) return ExitCode.repositoryLocked;
  return ExitCode.usageOrFatal;
}

/** What a backup came to: incomplete (some source unreadable) beats success. */
export function exitCodeForBackup(outcome: { readonly unreadable: number }): ExitCode {
  return outcome.unreadable > 0 ? ExitCode.snapshotIncomplete : ExitCode.ok;
}

/** The line printed on stderr for an error that ends the run. */
export function describeFatal(error: unknown): string {
  if (error instanceof VigilError) return `vigil: ${error.message}`;
  const e = error as Error;
  return `vigil: internal error: ${e?.stack ?? String(error)}\nPlease report this with the command you ran.`;
}
