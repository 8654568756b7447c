/**
 * Inside a backup worker: a batch of source files stored through the native batch reader
 * (src/scan/native-reader.ts). Files the parent snapshot may vouch for are settled by lstat
 * first, as in the JavaScript path; the rest are read many per call into an arena and stored
 * from there. Anything unusual (an error, a file bigger than the arena) goes through the
 * JavaScript path (store-object.ts), so both paths report every case in the same words.
 */
import { encodePaths, PathFlag } from '../scan/batch-protocol.js';
import { type NativeReader, RECORD_SLOTS, ReadKind, readerArena, STAT_SLOTS, StatSlot } from '../scan/native-reader.js';
import {
  CHANGED_WHILE_READ,
  crashIfAsked,
  readAndStore,
  type StatFields,
  type StoreContext,
  settleByLstat,
  storeContent,
  storeFile,
} from './store-object.js';
import type { ParentRecord, StoredFile } from './store-protocol.js';

export function storeBatchNatively(
  native: NativeReader,
  paths: readonly Buffer[],
  parents: readonly (ParentRecord | null)[],
  context: StoreContext,
): StoredFile[] {
  const files = new Array<StoredFile>(paths.length);
  const toRead: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    const parent = parents[i] ?? null;
    const settled = parent === null ? undefined : settleByLstat(paths[i]!, parent, context);
    if (settled === undefined) toRead.push(i);
    else files[i] = settled;
  }
  if (toRead.length === 0) return files;
  for (const i of toRead) crashIfAsked(paths[i]!);

  const count = toRead.length;
  const encoded = encodePaths(toRead.map((i) => paths[i]!));
  // Every file is read even if hard-linked: a snapshot records each name with its content.
  const flags = new Uint8Array(count).fill(PathFlag.readLinked);
  const cursor = new Uint32Array(2);
  const records = new Float64Array(count * RECORD_SLOTS);
  const stats = new BigInt64Array(count * STAT_SLOTS);
  const arena = readerArena();
  while (cursor[0]! < count) {
    const from = cursor[0]!;
    native.readFiles(encoded, flags, cursor, arena, records, Number.POSITIVE_INFINITY, undefined, stats);
    if (cursor[0] === from) throw new Error(`the native reader made no progress at file ${from} of ${count}`);
    for (let k = from; k < cursor[0]!; k++) {
      const i = toRead[k]!;
      const at = k * RECORD_SLOTS;
      switch (records[at]) {
        case ReadKind.read: {
          const offset = records[at + 1]!;
          files[i] = storeContent(arena.subarray(offset, offset + records[at + 2]!), statFieldsAt(stats, k), context);
          break;
        }
        case ReadKind.notRegular:
          files[i] = { status: 'notRegular' };
          break;
        case ReadKind.changed:
          files[i] = CHANGED_WHILE_READ;
          break;
        case ReadKind.large:
          files[i] = readAndStore(paths[i]!, context);
          break;
        default:
          // failed (or anything unexpected): the JavaScript path says what happened, in its words.
          files[i] = storeFile(paths[i]!, null, context);
      }
    }
  }
  return files;
}

function statFieldsAt(stats: BigInt64Array, k: number): StatFields {
  const at = k * STAT_SLOTS;
  return {
    mode: Number(stats[at + StatSlot.mode]! & 0o7777n),
    size: Number(stats[at + StatSlot.size]!),
    mtimeNs: stats[at + StatSlot.mtimeNs]!.toString(),
    ctimeNs: stats[at + StatSlot.ctimeNs]!.toString(),
    ino: Number(BigInt.asUintN(64, stats[at + StatSlot.ino]!)),
  };
}
