/**
 * Inside a backup worker: a batch of source files brought into the repository. Files the
 * parent snapshot may vouch for are stat'ed first (beneath their source, never through a
 * link) and, if their stat still matches, not read at all (vigil check's fast path, racy
 * rule included). The rest are read by the file-system layer and stored (store-object.ts).
 */

import { decideFastPath } from '../baseline/fast-path.js';
import { eachRead, eachStat } from '../fs/batch-reads.js';
import { decodePaths, FileListBuilder } from '../fs/file-list.js';
import type { FileReader } from '../fs/file-reader.js';
import { PathFlag, type StatRecord } from '../fs/records.js';
import { type StoreContext, statFields, storeContent, storeStreaming } from './store-object.js';
import type { ParentRecord, StoreBatchRequest, StoredFile } from './store-protocol.js';

export function storeBatchWith(reader: FileReader, request: StoreBatchRequest): StoredFile[] {
  const { list, parents } = request;
  const context: StoreContext = {
    repo: request.repo,
    tempDir: request.tempDir,
    parentTimeNs: BigInt(request.parentTimeNs),
    noObjectsYet: request.noObjectsYet,
  };
  const paths = decodePaths(list.paths);
  const files = new Array<StoredFile>(paths.length);
  const withParent = new FileListBuilder();
  const withParentIndex: number[] = [];
  const toRead: number[] = [];
  paths.forEach((path, i) => {
    if (parents[i] == null) toRead.push(i);
    else {
      withParent.add(path, list.flags[i] as number, list.bases[i] as number);
      withParentIndex.push(i);
    }
  });
  if (withParent.size > 0) {
    eachStat(reader, withParent.build(), (k, outcome) => {
      const i = withParentIndex[k] as number;
      const parent = parents[i] as ParentRecord;
      if (outcome.kind === 'failed') files[i] = { status: 'failed', ...outcome.failure };
      else if (outcome.type !== 'file') files[i] = { status: 'notRegular' };
      else if (isTrusted(parent, outcome.stat, context.parentTimeNs)) {
        files[i] = { status: 'unchanged', ...statFields(outcome.stat), hash: parent.hash };
      } else toRead.push(i);
    });
    toRead.sort((a, b) => a - b);
  }
  if (toRead.length === 0) return files;

  const reads = new FileListBuilder();
  // Every file is read even if hard-linked: a snapshot records each name with its content.
  for (const i of toRead)
    reads.add(paths[i] as Buffer, (list.flags[i] as number) | PathFlag.readLinked, list.bases[i] as number);
  eachRead(reader, reads.build(), { deferAbove: Number.POSITIVE_INFINITY, reading: request.reading }, (k, outcome) => {
    const i = toRead[k] as number;
    switch (outcome.kind) {
      case 'read':
        files[i] = storeContent(outcome.bytes, statFields(outcome.stat), context);
        break;
      case 'large':
        files[i] = storeStreaming(outcome.file, statFields(outcome.stat), context);
        break;
      case 'notRegular':
        files[i] = { status: 'notRegular' };
        break;
      case 'failed':
      case 'changed':
        files[i] = { status: 'failed', ...outcome.failure };
        break;
      default:
        throw new Error(`storeBatch: the reader deferred path ${i} (${outcome.kind}), which it was not asked to`);
    }
  });
  return files;
}

/** The parent snapshot's record still holds (vigil check's fast path, racy rule included). */
function isTrusted(parent: ParentRecord, current: StatRecord, recordedAtNs: bigint): boolean {
  return decideFastPath({
    current: { size: BigInt(current.size), mtimeNs: current.mtimeNs, ctimeNs: current.ctimeNs, ino: current.ino },
    stored: {
      size: BigInt(parent.size),
      mtimeNs: BigInt(parent.mtimeNs),
      ctimeNs: BigInt(parent.ctimeNs),
      ino: BigInt(parent.ino),
    },
    storedHashed: true,
    recordedAtNs,
  }).trusted;
}
