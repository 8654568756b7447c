/**
 * A backup's parent: which snapshot it is (restic's rule: the newest of exactly the same
 * sources), and its files, read in a worker of its own while the run walks (run-backup.ts).
 * The worker can be started before the repository is even opened (ParentReader), so that its
 * start, its modules and its connection to remote storage are not on the run's critical path.
 */
import { Pool } from 'tandem/pool';
import type { StoredSnapshot } from '../repo/snapshot-store.js';
import type { ParentCache } from './parent-cache.js';
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
  #from: 'cache' | 'trees' | undefined;
  readonly arrived: Promise<void>;

  /**
   * `request`: the parent to read, or undefined for none; `onDamaged` hears each tree that could
   * not be read; `reader`: the worker to read it in (one of its own when not given), closed
   * once it has, or at once when there is nothing to read.
   */
  constructor(
    request: ParentFilesRequest | undefined,
    onDamaged: (line: string) => void,
    reader: ParentReader = new ParentReader(),
  ) {
    if (request === undefined) {
      this.#table = ParentFileTable.EMPTY;
      this.arrived = Promise.resolve();
      // Not awaited: the first batch need not wait for a worker that has nothing to do to end.
      reader.close().catch(() => {});
      return;
    }
    this.#from = 'trees';
    this.arrived = reader.read(request).then((read) => {
      for (const line of read.damaged) onDamaged(line);
      this.#table = new ParentFileTable(read.table);
    });
    // Awaited before any batch is sent; a failure before then (the walk's) must not leave it unhandled.
    this.arrived.catch(() => {});
  }

  /**
   * The files of `parent` (none: no parent): from `cache` when it has them (here at once, and
   * `reader` is closed unused), else read from its trees by `reader` as `request` says.
   */
  static of(
    parent: StoredSnapshot | undefined,
    options: {
      readonly cache: ParentCache | undefined;
      readonly sources: readonly string[];
      readonly request: (root: Buffer, label: string) => ParentFilesRequest;
      readonly onDamaged: (line: string) => void;
      readonly reader: ParentReader | undefined;
    },
  ): ParentFilesArrival {
    const cached = parent && options.cache?.read(options.sources, parent.id);
    if (cached) {
      const arrival = new ParentFilesArrival(undefined, options.onDamaged, options.reader);
      arrival.#table = new ParentFileTable(cached);
      arrival.#from = 'cache';
      return arrival;
    }
    const request = parent && options.request(parent.snapshot.tree, parent.id.slice(0, 16));
    return new ParentFilesArrival(request, options.onDamaged, options.reader);
  }

  /** Where the files came from (none: no parent). */
  get from(): 'cache' | 'trees' | undefined {
    return this.#from;
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
 * The worker a backup reads its parent's files in: a pool of one worker of its own, which ends
 * with the read. Decoding every tree of the parent leaves tens of MB of garbage in the worker's
 * old generation, which V8 does not collect until that grows further (in a backup worker, it
 * held 60-90 MB to the end of the run on the /usr/share copy), and a worker that exits gives it
 * all back. Given the repository's `location`, the worker starts at once and opens its storage
 * (over SFTP: loading ssh2, connecting, logging in) while the command opens the repository
 * (the password's key derivation alone is 0.2-0.3 s) and reads its index: the parent's trees
 * are the first thing the backup's workers wait for, and the read then starts without delay.
 */
export class ParentReader {
  readonly #pool: Pool;

  /** Starts the worker now when `location` is given (storage/location.ts's canonical form), else at the read. */
  constructor(location?: string) {
    this.#pool = new Pool({
      workers: 1,
      name: 'vigil-backup-parent',
      prefetch: 1,
      ...(location === undefined ? {} : { minWorkers: 1, initializer: tasks.startWorker, initArgs: [location] }),
    });
  }

  /** Reads the parent's files, then ends the worker. */
  async read(request: ParentFilesRequest): Promise<ParentFilesRead> {
    try {
      return await this.#pool.apply(tasks.readParentFiles, [request]);
    } finally {
      await this.close();
    }
  }

  /** Ends the worker (when there is no parent to read, or the run failed before its read). */
  close(): Promise<void> {
    return this.#pool.terminate();
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
