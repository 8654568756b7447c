/**
 * Exit codes, decided here and nowhere else; EXIT_CODE_TABLE says what each means per group
 * of commands, and the help texts are made from it (a test holds README.md and docs/vigil.md
 * to the same words).
 */
import { RepositoryLockedError, VigilError } from './errors.js';
import { WrongPasswordError } from './repo/keys.js';

export const ExitCode = {
  ok: 0,
  someFilesFailed: 1,
  usageOrFatal: 2,
  snapshotIncomplete: 3,
  repositoryLocked: 4,
  /** A repository's password (or key) does not open it. */
  wrongPassword: 5,
  /** `vigil check`: changes found (added, removed, modified... or unreadable, unstable). */
  changesFound: 1,
  /** Ended by SIGINT (Ctrl-C) after removing what was half-written: 128 + 2, as shells report it. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The groups of commands whose exit codes are documented together. */
export type ExitCodeGroup = 'vigil' | 'hash' | 'baseline' | 'backup';

/** What each exit code means, per group: the one source of the help texts and the documentation. */
export const EXIT_CODE_TABLE: Readonly<Record<ExitCodeGroup, readonly (readonly [ExitCode, string])[]>> = {
  vigil: [
    [ExitCode.ok, 'all files hashed (or verified) and all is well'],
    [
      ExitCode.someFilesFailed,
      'some file failed (could not be read, changed while read, did not match); check: changes found',
    ],
    [ExitCode.usageOrFatal, 'bad usage, or a fatal error that stopped the run'],
    [ExitCode.snapshotIncomplete, 'backup: snapshot kept but incomplete (a source could not be read)'],
    [ExitCode.repositoryLocked, 'backup and the repository commands: the repository is locked by another live run'],
    [
      ExitCode.wrongPassword,
      'backup and the repository commands: wrong password (no key of the repository opens with it)',
    ],
    [
      ExitCode.interrupted,
      'baseline, check, accept: interrupted by Ctrl-C; the previous baseline is untouched; backup: interrupted by Ctrl-C, the next run resumes; the repository commands: interrupted by Ctrl-C, their locks removed',
    ],
  ],
  hash: [
    [ExitCode.ok, 'all files hashed (or verified) and all is well'],
    [
      ExitCode.someFilesFailed,
      'some file failed: could not be read, changed while read, or did not match; with --check also no properly formatted line, nothing verified under --ignore-missing, or a malformed line under --strict',
    ],
    [
      ExitCode.usageOrFatal,
      'bad usage (unknown flag or algorithm, conflicting flags), or a fatal error (a manifest that cannot be opened, a worker that died)',
    ],
  ],
  baseline: [
    [ExitCode.ok, 'baseline, accept, status: done; check: no changes'],
    [
      ExitCode.changesFound,
      'check: changes found (including unreadable or unstable entries); baseline, accept: written, but some entry could not be read (recorded without a hash / not accepted)',
    ],
    [
      ExitCode.usageOrFatal,
      'bad usage, or a fatal error: no baseline, a damaged or newer baseline, a broken worker pool',
    ],
    [ExitCode.interrupted, 'interrupted by Ctrl-C: the previous baseline is untouched'],
  ],
  backup: [
    [ExitCode.ok, 'done, and all is well'],
    [
      ExitCode.someFilesFailed,
      'verify: something stored is missing or damaged; restore: some entry could not be written, or a PATH is not in the snapshot; forget: an id names no snapshot or several (nothing was removed); ' +
        'ls: PATH is not in the snapshot; ls, diff, find, copy: a tree could not be read',
    ],
    [
      ExitCode.usageOrFatal,
      'bad usage, or a fatal error: an unreadable or unsafe repository or record, or a backup worker died (no snapshot was written)',
    ],
    [ExitCode.snapshotIncomplete, 'backup: the snapshot was kept but is incomplete (a source could not be read)'],
    [
      ExitCode.repositoryLocked,
      'locked: another live run holds a lock that conflicts (forget beside anything; backup, snapshots, ls, diff, find, verify, restore, copy beside forget); backup: its snapshot is saved but --keep-* was not applied',
    ],
    [ExitCode.wrongPassword, 'wrong password: no key of the repository opens with it'],
    [
      ExitCode.interrupted,
      'interrupted by Ctrl-C (or SIGTERM): the locks it held are removed; backup: stderr says whether its snapshot was committed; if not, what it stored is kept and the next backup resumes from it',
    ],
  ],
};

/** The commands, each with its group's table and the codes it can return (its --help lists only these). */
const { ok, someFilesFailed, usageOrFatal, changesFound, interrupted, wrongPassword, repositoryLocked } = ExitCode;
/** What a command on a repository may return beyond its own codes: done, fatal, wrong password, locked, interrupted. */
const REPOSITORY = [ok, usageOrFatal, wrongPassword, repositoryLocked, interrupted] as const;
const BASELINE = { group: 'baseline', codes: [ok, changesFound, usageOrFatal, interrupted] } as const;

export const COMMAND_EXIT_CODES = {
  hash: { group: 'hash', codes: [ok, someFilesFailed, usageOrFatal] },
  baseline: BASELINE,
  check: BASELINE,
  accept: BASELINE,
  status: { group: 'baseline', codes: [ok, usageOrFatal] },
  backup: {
    group: 'backup',
    codes: [...REPOSITORY, ExitCode.snapshotIncomplete],
  },
  snapshots: { group: 'backup', codes: REPOSITORY },
  forget: { group: 'backup', codes: [...REPOSITORY, someFilesFailed] },
  verify: { group: 'backup', codes: [...REPOSITORY, someFilesFailed] },
  restore: { group: 'backup', codes: [...REPOSITORY, someFilesFailed] },
  ls: { group: 'backup', codes: [...REPOSITORY, someFilesFailed] },
  diff: { group: 'backup', codes: [...REPOSITORY, someFilesFailed] },
  find: { group: 'backup', codes: [...REPOSITORY, someFilesFailed] },
  copy: { group: 'backup', codes: [...REPOSITORY, someFilesFailed] },
  init: { group: 'backup', codes: [ok, usageOrFatal] },
  key: { group: 'backup', codes: [ok, usageOrFatal, wrongPassword] },
  unlock: { group: 'backup', codes: [ok, usageOrFatal] },
} as const satisfies Record<string, { group: ExitCodeGroup; codes: readonly ExitCode[] }>;
export type CommandName = keyof typeof COMMAND_EXIT_CODES;

/** The "Exit codes:" block of a --help text: a group's table, or only what one command returns. */
export function exitCodesHelp(group: ExitCodeGroup | CommandName): string {
  const { table, codes } =
    group in COMMAND_EXIT_CODES
      ? {
          table: EXIT_CODE_TABLE[COMMAND_EXIT_CODES[group as CommandName].group],
          codes: COMMAND_EXIT_CODES[group as CommandName].codes as readonly ExitCode[],
        }
      : { table: EXIT_CODE_TABLE[group as ExitCodeGroup], codes: undefined };
  const rows = table
    .filter(([code]) => codes === undefined || codes.includes(code))
    .map(([code, meaning]) => `${String(code).padStart(3)}  ${meaning}`);
  return `\nExit codes:\n${rows.join('\n')}`;
}

/** The same as a markdown table (README.md and docs/vigil.md hold these). */
export function exitCodesMarkdown(group: ExitCodeGroup): string {
  const rows = EXIT_CODE_TABLE[group].map(([code, meaning]) => `| ${code} | ${meaning} |`);
  return ['| code | meaning |', '| --- | --- |', ...rows].join('\n');
}

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
  if (error instanceof WrongPasswordError) return ExitCode.wrongPassword;
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
