/**
 * The task module of restore workers (everything here runs inside a worker).
 *
 * restoreFiles: restore a batch of regular files (restore-files.ts) into directories the
 * main thread opened. A worker reads the repository itself, through the index the main thread
 * loaded (shared memory, not a copy: startRestoreWorker), and keeps its packs open across batches.
 */
import { defineTasks } from 'tandem/tasks';
import { createBlobIdHasher } from '../repo/blob-id.js';
import { BlobReader } from '../repo/blob-reader.js';
import { createBlobCodec } from '../repo/compression.js';
import { BlobIndex, type SharedBlobIndex } from '../repo/index-table.js';
import { metaAddon } from '../repo/meta-calls.js';
import type { RepositorySecrets } from '../repo/repository.js';
import { EntryRestorer, type RestoreNotice } from '../repo/restore-entry.js';
import { createSealer } from '../repo/sealer.js';
import { loadZstd } from '../repo/zstd.js';
import { workerStorage } from '../storage/worker-storage.js';
import {
  type FileBatchOutcome,
  type FileGroup,
  type FileRestoreContext,
  type OverwriteMode,
  restoreFiles as restoreGroups,
  TreeCache,
} from './restore-files.js';

export interface RestoreFilesRequest {
  readonly secrets: RepositorySecrets;
  readonly runId: string;
  /** TARGET's descriptor (the main thread's; hard links are made there, not here). */
  readonly targetFd: number;
  readonly overwrite: OverwriteMode;
  readonly numericOwner: boolean;
  readonly groups: readonly FileGroup[];
}

export interface RestoreFilesResult extends FileBatchOutcome {
  /** What the batch did not do that is no failure (an attribute the file system refused). */
  readonly notices: RestoreNotice[];
}

interface WorkerRestore {
  readonly context: FileRestoreContext;
  readonly notices: RestoreNotice[];
}

/**
 * A restore worker reads a small blob with what follows it in its pack, up to this many bytes,
 * and takes the next blobs from those: the /usr/share copy took 55,822 preads, now 7,986. Small:
 * each open pack keeps its span (16 per worker), and a tree read fetches one too.
 */
const READ_AHEAD_BYTES = 64 * 1024;

let cached: { runId: string; restore: Promise<WorkerRestore> } | undefined;

/** The index this worker was started with (startRestoreWorker). */
let startIndex: SharedBlobIndex | undefined;

/**
 * How a restore worker starts (tandem's initializer): with the index the main thread loaded
 * (BlobIndex.share(): shared memory, nothing copied), given once rather than with every batch.
 */
function startRestoreWorker(index: SharedBlobIndex): void {
  startIndex = index;
}

async function restoreFiles(request: RestoreFilesRequest): Promise<RestoreFilesResult> {
  const { context, notices } = await workerRestore(request);
  notices.length = 0;
  const outcome = await restoreGroups(context, request.groups, request.overwrite);
  return { ...outcome, notices: notices.splice(0) };
}

/** This worker's reader and restorer for run `runId` (the previous run's packs closed). */
function workerRestore(request: RestoreFilesRequest): Promise<WorkerRestore> {
  if (cached?.runId === request.runId) return cached.restore;
  const previous = cached?.restore;
  cached = { runId: request.runId, restore: open(request) };
  void previous?.then(({ context }) => context.reader.close());
  return cached.restore;
}

async function open(request: RestoreFilesRequest): Promise<WorkerRestore> {
  const { secrets } = request;
  if (startIndex === undefined) throw new Error('a restore worker was started without the index (startRestoreWorker)');
  const sealer = createSealer(secrets.encryptionKey);
  // The main thread loaded the index and reported any damage; a blob missing from it fails its file.
  const storage = await workerStorage(secrets.root);
  const reader = new BlobReader(
    storage,
    BlobIndex.fromShared(startIndex),
    sealer,
    createBlobIdHasher(secrets.idKey),
    createBlobCodec(await loadZstd()),
    { readAheadBytes: READ_AHEAD_BYTES },
  );
  const notices: RestoreNotice[] = [];
  const calls = metaAddon();
  const restorer = new EntryRestorer(
    request.targetFd,
    { numericOwner: request.numericOwner, onNotice: (notice) => notices.push(notice) },
    calls,
  );
  return { context: { reader, trees: new TreeCache(reader), restorer, calls }, notices };
}

export default defineTasks(import.meta.url, { restoreFiles, startRestoreWorker });
