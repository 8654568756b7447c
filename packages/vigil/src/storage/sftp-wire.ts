/**
 * What SFTP and ssh2 give the SFTP storage to work with (sftp-storage.ts): the protocol's
 * status codes, transfers as a window of requests in flight, the server's extensions, and
 * which failures may pass with a reconnection.
 */
import type { SFTPWrapper } from 'ssh2';

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

/** Runs `step(at, length)` over [0, size) in REQUEST_BYTES pieces, REQUESTS_IN_FLIGHT at a time. */
export async function windowed(size: number, step: (at: number, length: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < size) {
      const at = next;
      const length = Math.min(REQUEST_BYTES, size - at);
      next += length;
      await step(at, length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(REQUESTS_IN_FLIGHT, Math.ceil(size / REQUEST_BYTES)) }, lane));
}
