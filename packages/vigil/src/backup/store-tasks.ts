/**
 * The task module of backup and verify workers (everything here runs inside a worker).
 *
 * storeBatch: stat, hash and copy a batch of source files into the repository.
 * verifyObjects: re-hash stored objects and say which are missing or do not match their name.
 */
import { closeSync, openSync, readSync, renameSync } from 'node:fs';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { defineTasks } from 'tandem/tasks';
import { fileReader } from '../fs/reader.js';
import { objectPathIn } from './repository.js';
import { storeBatchWith } from './store-batch.js';
import type {
  ObjectProblem,
  StoreBatchRequest,
  StoreBatchResult,
  VerifyObjectsRequest,
  VerifyObjectsResult,
} from './store-protocol.js';

function storeBatch(request: StoreBatchRequest): StoreBatchResult {
  return { files: storeBatchWith(fileReader(), request) };
}

/** The task runBackup sends batches to by default; tests give it another built on storeBatchWith. */
export type StoreBatchTask = (request: StoreBatchRequest) => StoreBatchResult;

/** Gives flushed temp objects their final names (objects/ab/<hash>). */
function nameObjects(request: { readonly repo: string; readonly objects: readonly [string, string][] }): number {
  for (const [hash, temp] of request.objects) renameSync(temp, objectPathIn(request.repo, hash));
  return request.objects.length;
}

const verifyBuffer = Buffer.allocUnsafeSlow(1024 * 1024);
const verifyHasher = new Blake3Hasher();

function verifyObjects(request: VerifyObjectsRequest): VerifyObjectsResult {
  let ok = 0;
  let bytes = 0;
  const problems: ObjectProblem[] = [];
  for (const hash of request.hashes) {
    let fd: number;
    try {
      fd = openSync(objectPathIn(request.repo, hash), 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      problems.push({ hash, problem: code === 'ENOENT' ? 'missing' : code });
      continue;
    }
    try {
      verifyHasher.reset();
      for (;;) {
        const n = readSync(fd, verifyBuffer, 0, verifyBuffer.length, null);
        if (n === 0) break;
        bytes += n;
        verifyHasher.update(verifyBuffer.subarray(0, n));
      }
      if (verifyHasher.digest('hex') === hash) ok++;
      else problems.push({ hash, problem: 'corrupt' });
    } catch (error) {
      problems.push({ hash, problem: (error as NodeJS.ErrnoException).code ?? 'EIO' });
    } finally {
      closeSync(fd);
    }
  }
  return { ok, bytes, problems };
}

export default defineTasks(import.meta.url, { storeBatch, nameObjects, verifyObjects });
