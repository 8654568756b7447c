/**
 * A backup's parent: which snapshot it is (restic's rule: the newest of exactly the same
 * sources), and its files, read in a worker of its own while the run walks (run-backup.ts).
 */
import { Pool } from 'tandem/pool';
import type { StoredSnapshot } from '../repo/snapshot-store.js';
import { ParentFileTable, type ParentRecords } from './parent-files.js';
import type { ParentFilesRead } from './parent-snapshot.js';
import type { ParentFilesRequest } from './protocol.js';
import tasks from './tasks.js';

/**
 * The parent's files as they arrive from the worker that reads them: `here` once they have
 * (at once when there is no parent); `arrived` settles then, or rejects with the read's failure.
 */
export class ParentFilesArrival {
  #table: ParentFileTable | undefined;
  readonly arrived: Promise<void>;

  /** `request`: the parent to read, or undefined for none; `onDamaged` hears each tree that could not be read. */
  constructor(request: ParentFilesRequest | undefined, onDamaged: (line: string) => void) {
    if (request === undefined) {
      this.#table = ParentFileTable.EMPTY;
      this.arrived = Promise.resolve();
      return;
    }
    this.arrived = readParentInWorker(request).then((read) => {
      for (const line of read.damaged) onDamaged(line);
      this.#table = new ParentFileTable(read.table);
    });
    // Awaited before any batch is sent; a failure before then (the walk's) must not leave it unhandled.
    this.arrived.catch(() => {});
  }

  get here(): boolean {
    return this.#table !== undefined;
  }

  /** The records of a batch's paths; only once `here`. */
  recordsFor(paths: readonly Buffer[]): ParentRecords {
    if (this.#table === undefined) throw new Error('the parent snapshot has not been read yet');
    return this.#table.recordsFor(paths);
  }

  /** Lets the table go once every batch has its records. */
  drop(): void {
    this.#table = ParentFileTable.EMPTY;
  }
}

/**
 * The parent's files, read in a worker of its own that ends with the read: decoding every tree
 * of the parent leaves tens of MB of garbage in the worker's old generation, which V8 does not
 * collect until that grows further (in a backup worker, it held 60-90 MB to the end of the run
 * on the /usr/share copy), and a worker that exits gives it all back. It runs while the main
 * thread walks and the backup's own workers are still waiting for their first batch.
 */
async function readParentInWorker(request: ParentFilesRequest): Promise<ParentFilesRead> {
  const pool = new Pool({ workers: 1, name: 'vigil-backup-parent', prefetch: 1 });
  try {
    return await pool.apply(tasks.readParentFiles, [request]);
  } finally {
    await pool.terminate();
  }
}

/** The newest snapshot of exactly these sources (restic's parent), whose records skip reads. */
export function findParent(
  snapshots: readonly StoredSnapshot[],
  sources: readonly string[],
): StoredSnapshot | undefined {
  const key = JSON.stringify([...sources].sort());
  return snapshots.filter((s) => JSON.stringify([...s.snapshot.sources].sort()) === key).at(-1);
}
