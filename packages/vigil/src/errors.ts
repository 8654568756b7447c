/**
 * Every error class vigil throws. Each has a stable `code`; src/exit.ts maps them to exit
 * codes, so no other module decides how the process ends.
 */

/** Base class of vigil's errors. */
export class VigilError extends Error {
  /** A stable, machine-readable identifier, e.g. `ERR_VIGIL_USAGE`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The command line asks for something impossible (unknown algorithm, conflicting flags). */
export class UsageError extends VigilError {
  constructor(message: string) {
    super('ERR_VIGIL_USAGE', message);
  }
}

/** A manifest given to --check cannot be opened or read at all. */
export class ManifestReadError extends VigilError {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException)?.code ?? String(cause);
    super(
      'ERR_VIGIL_MANIFEST_READ',
      `cannot read the manifest ${path} (${reason}): check the path and its permissions`,
      {
        cause,
      },
    );
    this.path = path;
  }
}

/** The hashing engine itself failed (a worker died, the pool broke): results are incomplete. */
export class EngineError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VIGIL_ENGINE', message, options);
  }
}

/** Another live run holds a lock of the repository that conflicts with the one asked for. */
export class RepositoryLockedError extends VigilError {
  readonly holder: {
    readonly pid: number;
    readonly host: string;
    readonly time: string;
    readonly exclusive?: boolean;
    readonly command?: string;
  };
  constructor(repo: string, holder: RepositoryLockedError['holder']) {
    const age = Math.max(0, Math.round((Date.now() - Date.parse(holder.time)) / 60_000));
    super(
      'ERR_VIGIL_REPO_LOCKED',
      `the repository ${repo} is locked${holder.exclusive === false ? '' : ' exclusively'} by ` +
        `${holder.command === undefined ? 'a run' : `vigil ${holder.command}`} (process ${holder.pid} on ${holder.host}, ` +
        `lock refreshed ${Number.isNaN(age) ? 'at an unknown time' : age === 0 ? 'under a minute ago' : `${age} minute${age === 1 ? '' : 's'} ago`}): ` +
        `wait for that run to finish; if it is gone, its lock goes stale 30 minutes after its last refresh and ` +
        `vigil unlock ${repo} removes it (vigil unlock --remove-all removes every lock)`,
    );
    this.holder = holder;
  }
}

/** A path is not a vigil repository, or its layout or a snapshot record is damaged. */
export class RepositoryError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VIGIL_REPOSITORY', message, options);
  }
}

/**
 * A file of a repository could not be listed, read, written or removed where it is stored
 * (disk, SFTP or S3). `missing` tells a file that is not there from one that failed.
 */
export class StorageError extends RepositoryError {
  readonly missing: boolean;
  constructor(message: string, options?: { cause?: unknown; missing?: boolean }) {
    super(message, options);
    this.missing = options?.missing ?? false;
  }
}

/** No snapshot matches the id given (or the repository has none, for `latest`). */
export class SnapshotNotFoundError extends VigilError {
  constructor(repo: string, id: string) {
    super('ERR_VIGIL_SNAPSHOT_NOT_FOUND', `no snapshot "${id}" in ${repo}: list them with vigil snapshots ${repo}`);
  }
}

/** A backup worker died: the run is abandoned and no snapshot is written. */
export class BackupAbortedError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VIGIL_BACKUP_ABORTED', message, options);
  }
}

/**
 * better-sqlite3, which baselines are stored with, is not installed or not built for this
 * Node.js (it is an optional dependency: npm skips it where it cannot be compiled).
 */
export class SqliteUnavailableError extends VigilError {
  constructor(cause: unknown) {
    const detail = ((cause as Error)?.message ?? String(cause)).split('\n')[0];
    super(
      'ERR_VIGIL_SQLITE_UNAVAILABLE',
      `baselines need the package better-sqlite3, which could not be loaded (${detail}): install a C compiler, ` +
        'make and python3, then run "npm rebuild better-sqlite3" where vigil is installed (or install vigil again)',
      { cause },
    );
  }
}

/** `vigil check`, `accept` or `status` found no baseline where it looked. */
export class BaselineMissingError extends VigilError {
  readonly path: string;
  constructor(path: string) {
    super('ERR_VIGIL_BASELINE_MISSING', `no baseline at ${path}: run "vigil baseline DIR" first (or give --db FILE)`);
    this.path = path;
  }
}

/** The baseline file is not a vigil baseline SQLite can read (damaged, truncated, or another file). */
export class BaselineCorruptError extends VigilError {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    const detail = (cause as Error)?.message ?? String(cause);
    super(
      'ERR_VIGIL_BASELINE_CORRUPT',
      `the baseline ${path} is damaged or not a vigil baseline (${detail}): restore it from a copy, or take a new one with "vigil baseline"`,
      { cause },
    );
    this.path = path;
  }
}

/** The baseline was written by a newer vigil, with a schema this one does not know. */
export class BaselineVersionError extends VigilError {
  readonly path: string;
  constructor(path: string, found: number, supported: number) {
    super(
      'ERR_VIGIL_BASELINE_VERSION',
      `the baseline ${path} has schema version ${found}, newer than this vigil reads (${supported}): use a newer vigil`,
    );
    this.path = path;
  }
}

/** The new baseline could not be written; the previous one, if any, is untouched. */
export class BaselineWriteError extends VigilError {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    const detail = (cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause);
    super(
      'ERR_VIGIL_BASELINE_WRITE',
      `cannot write the baseline ${path} (${detail}); the previous baseline, if any, is untouched`,
      { cause },
    );
    this.path = path;
  }
}

/** A baseline whose Ed25519 signature is missing or does not match (`vigil check --verify-key`). */
export class BaselineSignatureError extends VigilError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('ERR_VIGIL_BASELINE_SIGNATURE', message);
    this.path = path;
  }
}

/** A signing or verifying key that cannot be read or is not an Ed25519 key. */
export class SigningKeyError extends VigilError {
  readonly path: string;
  constructor(path: string, message: string, cause?: unknown) {
    super('ERR_VIGIL_SIGNING_KEY', message, { cause });
    this.path = path;
  }
}
