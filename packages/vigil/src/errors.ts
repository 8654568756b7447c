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
