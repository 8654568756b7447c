/**
 * Operands that are not files in a tree: `-` (standard input) and a FIFO or device named on
 * the command line (`/dev/stdin`, `<(cmd)`, `/dev/null`). sha256sum and b3sum read these like
 * files, so `cmd | vigil hash -` works; a walk never opens them (fs/walk.ts skips what it
 * meets). They are read here, in the main thread, as one stream: there is nothing to share
 * among workers, and a pipe can be read only once.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { AlgorithmName } from '../checksums/algorithms.js';
import { describeErrno } from '../fs/failures.js';
import { type Blake3Mode, digestBytes } from './blake3-mode.js';
import { createBlake3Digester, createDigester } from './digesters.js';
import type { EntryRecord } from './records.js';

/** The operand that means standard input, as in coreutils and b3sum. */
export const STDIN_OPERAND = Buffer.from('-');

/** Names of the process's own standard input (what `-` means, under another name). */
const STDIN_PATHS = ['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'].map((path) => Buffer.from(path));

/**
 * Whether `operand` is read as a stream: `-`, or a FIFO, device or socket (followed through
 * links). A socket cannot be opened: reading it fails with ENXIO, reported as sha256sum does
 * ("No such device or address", exit 1), except that `/dev/stdin` on a socket (what a
 * parent such as Node.js gives its children) reads standard input.
 */
export async function isStreamOperand(operand: Buffer): Promise<boolean> {
  if (operand.equals(STDIN_OPERAND)) return true;
  try {
    const stats = await stat(operand);
    return stats.isFIFO() || stats.isCharacterDevice() || stats.isBlockDevice() || stats.isSocket();
  } catch {
    return false; // the walk reports why it cannot be read
  }
}

/** Whether reading `operand` means reading the `stdin` stream itself. */
async function readsStandardInput(operand: Buffer): Promise<boolean> {
  if (operand.equals(STDIN_OPERAND)) return true;
  if (!STDIN_PATHS.some((path) => path.equals(operand))) return false;
  try {
    return (await stat(operand)).isSocket();
  } catch {
    return false;
  }
}

/** Hashes a stream operand to its end; `stdin` is what `-` reads. */
export async function hashStreamOperand(
  operand: Buffer,
  algorithm: AlgorithmName,
  stdin: Readable,
  blake3?: Blake3Mode,
): Promise<EntryRecord> {
  const digester = blake3 && algorithm === 'blake3' ? createBlake3Digester(blake3) : createDigester(algorithm);
  const source = (await readsStandardInput(operand)) ? stdin : createReadStream(operand);
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      digester.update(chunk);
      size += chunk.length;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return { type: 'error', path: operand, code, message: describeErrno(code) };
  }
  const digest = Buffer.alloc(digestBytes(algorithm, blake3));
  digester.finishInto(digest, 0);
  return { type: 'file', path: operand, digest, size };
}
