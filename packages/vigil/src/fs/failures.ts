/**
 * How the file-system layer words what went wrong with a path, for every command alike:
 * errno codes with coreutils' strerror text, the one "changed while being read" outcome, and
 * the names of file types in "skipped" notices.
 */
import { constants } from 'node:fs';
import { getSystemErrorMap, getSystemErrorName } from 'node:util';

/** A path that could not be read: an errno code (or ECHANGED) and its text. */
export interface FileFailure {
  readonly code: string;
  readonly message: string;
}

/** A file whose size or times moved while it was read, or that read back short: never recorded as read. */
export const CHANGED_WHILE_READ: FileFailure = {
  code: 'ECHANGED',
  message: 'changed while being read (its size or modification time moved); read it again when it is quiet',
};

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  ENOTDIR: 'Not a directory',
  EIO: 'Input/output error',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EXDEV: 'Invalid cross-device link',
};

/** The strerror text coreutils would print for an errno code. */
export function describeErrno(code: string): string {
  return ERRNO_TEXT[code] ?? systemErrorText(code) ?? code;
}

/** libuv's text for any other errno code, capitalised as strerror writes it ("No such device or address"). */
function systemErrorText(code: string): string | undefined {
  for (const [name, text] of getSystemErrorMap().values()) {
    if (name === code) return text.charAt(0).toUpperCase() + text.slice(1);
  }
  return undefined;
}

/** A failure from a positive errno number (what the readers put in a record). */
export function failureFromErrno(errno: number): FileFailure {
  let code = 'EIO';
  try {
    code = getSystemErrorName(-errno);
  } catch {
    // Not an errno Node knows: EIO says as much as we can.
  }
  return { code, message: describeErrno(code) };
}

/** A failure from an error node:fs threw. */
export function failureFromError(error: unknown): FileFailure {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return { code, message: describeErrno(code) };
}

/** What a file of this st_mode is, in the words of vigil's "skipped" notices. */
export function describeMode(mode: number): string {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFREG:
      return 'file';
    case constants.S_IFDIR:
      return 'directory';
    case constants.S_IFIFO:
      return 'fifo';
    case constants.S_IFSOCK:
      return 'socket';
    case constants.S_IFBLK:
    case constants.S_IFCHR:
      return 'device';
    case constants.S_IFLNK:
      return 'symlink';
    default:
      return 'other';
  }
}
