/**
 * Packs that outlive a batch. A backup worker fills one pack across all the batches it gets in
 * a run, up to the target size (about 16 MiB), instead of completing one per batch: a second
 * backup that finds a few changed files in most batches made one small pack per batch (224
 * packs of a few kB for 494 changed files of /usr/share, each a create, a rename and, over
 * SFTP or S3, an upload), and a first backup made packs of about one batch's data (1 MiB).
 *
 * At each batch's end the worker publishes the packs it completed and closes the file of the
 * one it is filling (`WorkerPacks.endBatch`), telling the main thread what the batch added to
 * it. After the last batch, the main thread completes every pack still being filled
 * (`OpenPackLedger.complete`: the worker is idle by then and never writes to it again), so the
 * run's blobs are all in complete packs before the run flushes them and writes its index.
 * That needs the workers' staging folder to be the main thread's file system: backup workers
 * are threads of this process (never hosts through Redis).
 *
 * What a crash costs: the packs being filled are in the staging folder, complete in no way and
 * listed nowhere; the next run removes them (cleanLeftovers, resume.ts) and stores their blobs again. At
 * most one pack per worker is lost that way; completed ones are resumed from (resume.ts).
 */
import type { BlobWriter } from '../repo/blob-writer.js';
import type { PackEntry, Sealer } from '../repo/pack-header.js';
import { completeSuspendedPack, type StagedPack, type WrittenPack } from '../repo/pack-writer.js';

/** What a batch added to the pack its worker is filling: entries `first`.. of the pack at `path`. */
export interface OpenPackReport {
  readonly path: string;
  /** The pack's bytes so far (all of them, not only this batch's). */
  readonly size: number;
  /** The pack's index of `entries[0]`. */
  readonly first: number;
  readonly entries: readonly PackEntry[];
}

/** What a batch's end says of the worker's packs. */
export interface BatchPacks {
  /** Packs the batch completed and published. */
  readonly packs: WrittenPack[];
  /** Their staged paths: packs the main thread may have been told of as being filled. */
  readonly completed: string[];
  readonly open?: OpenPackReport;
}

/** A worker's side: the run's writer, and how much of its open pack the main thread knows. */
export class WorkerPacks {
  readonly writer: BlobWriter;
  #reportedPath: string | undefined;
  #reported = 0;

  constructor(writer: BlobWriter) {
    this.writer = writer;
  }

  async endBatch(): Promise<BatchPacks> {
    const { packs, completed } = await this.writer.takeFinished();
    const open = this.writer.suspend();
    if (open === undefined) return { packs, completed };
    if (open.path !== this.#reportedPath) {
      this.#reportedPath = open.path;
      this.#reported = 0;
    }
    const first = this.#reported;
    this.#reported = open.entries.length;
    return { packs, completed, open: { path: open.path, size: open.size, first, entries: open.entries.slice(first) } };
  }
}

/** The main thread's side: every pack a worker is filling, as the batches' results describe it. */
export class OpenPackLedger {
  readonly #open = new Map<string, { size: number; entries: PackEntry[] }>();
  readonly #completed = new Set<string>();

  /** A batch's result (entry ids revived as Buffers). */
  note(batch: { readonly completed: readonly string[]; readonly open?: OpenPackReport | undefined }): void {
    for (const path of batch.completed) {
      this.#completed.add(path);
      this.#open.delete(path);
    }
    const report = batch.open;
    if (report === undefined || this.#completed.has(report.path)) return;
    const pack = this.#open.get(report.path) ?? { size: 0, entries: [] };
    report.entries.forEach((entry, i) => {
      pack.entries[report.first + i] = entry;
    });
    pack.size = Math.max(pack.size, report.size);
    this.#open.set(report.path, pack);
  }

  /** Completes every pack still being filled: call once no batch is in flight. */
  complete(sealer: Sealer): StagedPack[] {
    const staged: StagedPack[] = [];
    for (const [path, pack] of this.#open) {
      // A hole (a report that never came) would index blobs at the wrong offsets: refuse the run.
      if (pack.entries.length === 0 || Array.from(pack.entries).includes(undefined as unknown as PackEntry)) {
        throw new Error(`the pack being filled at ${path} was reported with entries missing`);
      }
      staged.push(completeSuspendedPack({ path, size: pack.size, entries: pack.entries }, sealer));
    }
    this.#open.clear();
    return staged;
  }
}
