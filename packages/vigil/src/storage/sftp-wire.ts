/**
 * What SFTP and ssh2 give the SFTP storage to work with (sftp-storage.ts): the protocol's
 * status codes, transfers as a window of requests in flight, the server's extensions, and
 * which failures may pass with a reconnection.
 */
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { StorageError } from '../errors.js';

/** SFTP status code for a missing file (draft-ietf-secsh-filexfer-02, SSH_FX_NO_SUCH_FILE). */
export const NO_SUCH_FILE = 2;
/** SFTP status code for a read at the end of a file (SSH_FX_EOF). */
export const END_OF_FILE = 1;
/** Bytes per read or write request: within every server's packet limit (OpenSSH takes 256 KiB). */
const REQUEST_BYTES = 32 * 1024;
/** Requests in flight per transfer: enough to fill a fast link, bounded memory. */
const REQUESTS_IN_FLIGHT = 16;

/** A failure that may pass: the server is down or restarting, or the link dropped. */
export function unreachable(error: unknown): boolean {
  const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
  const code = cause?.code ?? (error as NodeJS.ErrnoException).code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'].includes(String(code)))
    return true;
  return /Not connected|No response from server|Timed out while waiting for handshake/.test(
    `${(error as Error).message} ${cause?.message ?? ''}`,
  );
}

export function realpath(sftp: SFTPWrapper, path: string): Promise<string> {
  return new Promise((resolve, reject) =>
    sftp.realpath(path, (error, absolute) => (error ? reject(error) : resolve(absolute))),
  );
}

/** Whether the server announced the extension (OpenSSH does both this file uses). */
export function hasExtension(sftp: SFTPWrapper, name: string): boolean {
  return (sftp as unknown as { _extensions?: Record<string, string> })._extensions?.[name] !== undefined;
}

/**
 * Bytes per write request of an upload, where the server says it takes that many in one
 * (limits@openssh.com: OpenSSH takes 256 KiB): a pack is then 128 requests instead of 512,
 * and each request is a read of the staged file, a Buffer, a promise and ssh2's framing.
 */
const UPLOAD_REQUEST_BYTES = 128 * 1024;
/** Upload requests in flight: the same 512 KiB as reads, in fewer, larger requests. */
const UPLOAD_REQUESTS_IN_FLIGHT = 4;

/** Runs `step(at, length)` over [0, size) in `pieceBytes` pieces, `inFlight` at a time. */
export async function windowed(
  size: number,
  step: (at: number, length: number) => Promise<void>,
  pieceBytes = REQUEST_BYTES,
  inFlight = REQUESTS_IN_FLIGHT,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < size) {
      const at = next;
      const length = Math.min(pieceBytes, size - at);
      next += length;
      await step(at, length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, Math.ceil(size / pieceBytes)) }, lane));
}

/** Runs an upload's `step(at, length)` over [0, size): large requests where `sftp` allows them, else REQUEST_BYTES. */
export function windowedUpload(
  sftp: SFTPWrapper,
  size: number,
  step: (at: number, length: number) => Promise<void>,
): Promise<void> {
  const limit = (sftp as unknown as { _maxWriteLen?: number })._maxWriteLen ?? 0;
  return limit >= UPLOAD_REQUEST_BYTES
    ? windowed(size, step, UPLOAD_REQUEST_BYTES, UPLOAD_REQUESTS_IN_FLIGHT)
    : windowed(size, step);
}

/**
 * Every file below `root` (a missing root: none), by its path relative to it, through
 * `readdir`. Folders are listed side by side (data/ has 256): one round trip's wait, not 256.
 */
export async function listTree(
  root: string,
  readdir: (dir: string) => Promise<{ filename: string; attrs: Stats }[]>,
): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    let entries: { filename: string; attrs: Stats }[];
    try {
      entries = await readdir(dir);
    } catch (error) {
      if (prefix === '' && error instanceof StorageError && error.missing) return;
      throw error;
    }
    const below: Promise<void>[] = [];
    for (const entry of entries) {
      if (entry.filename === '.' || entry.filename === '..') continue;
      if (entry.attrs.isDirectory()) below.push(visit(posix.join(dir, entry.filename), `${prefix}${entry.filename}/`));
      else found.push(`${prefix}${entry.filename}`);
    }
    await Promise.all(below);
  };
  await visit(root, '');
  return found;
}
