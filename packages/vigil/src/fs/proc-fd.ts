/**
 * Paths through /proc/self/fd: the one way node:fs can act relative to a directory
 * descriptor (it has no openat). `/proc/self/fd/7/name` starts its lookup at the directory
 * descriptor 7 holds, whatever has been renamed or swapped since it was opened; with
 * O_NOFOLLOW (or lstat) on `name`, no link is followed. The walk lists directories this way
 * and the JavaScript reader opens files this way, so vigil needs /proc (Linux has it
 * everywhere but in the barest containers: the error says so).
 */
import { statSync } from 'node:fs';
import { VigilError } from '../errors.js';

/** O_PATH (Linux): a descriptor that names a file without opening it; node:fs passes it through. */
export const O_PATH = 0o10000000;

const PROC_FD = '/proc/self/fd/';

/** `/proc/self/fd/<fd>` or `/proc/self/fd/<fd>/<name>`, as bytes. */
export function procPath(fd: number, name?: Uint8Array): Buffer {
  const head = Buffer.from(`${PROC_FD}${fd}${name ? '/' : ''}`, 'latin1');
  return name ? Buffer.concat([head, name]) : head;
}

/** /proc is not mounted: vigil cannot open files relative to directory descriptors. */
export class ProcFsMissingError extends VigilError {
  constructor(cause: unknown) {
    super(
      'ERR_VIGIL_NO_PROCFS',
      'vigil opens files relative to directory descriptors through /proc/self/fd, and /proc is not mounted here: mount it (mount -t proc proc /proc)',
      { cause },
    );
  }
}

let checked = false;

/** Throws ProcFsMissingError unless /proc/self/fd is there. */
export function requireProcFs(): void {
  if (checked) return;
  try {
    if (!statSync(PROC_FD).isDirectory()) throw new Error(`${PROC_FD} is not a directory`);
  } catch (error) {
    throw new ProcFsMissingError(error);
  }
  checked = true;
}
