/**
 * `vigil restore REPO SNAPSHOT TARGET [PATH...]`: recreate the snapshot (or the PATHs in it)
 * under TARGET by absolute path: /home/me/docs comes back as TARGET/home/me/docs, with owners
 * (as root), modes, times to the nanosecond, extended attributes and ACLs, hard links,
 * FIFOs and devices, and holes; every chunk checked against its id. Files are restored on
 * worker threads (`--jobs`).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { RepositoryLock } from '../backup/lock.js';
import { restoreTree } from '../backup/restore.js';
import { OVERWRITE_MODES, type OverwriteMode } from '../backup/restore-files.js';
import restoreTasks from '../backup/restore-tasks.js';
import { findSnapshot, shortId } from '../backup/snapshots.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { createWorkerPool, RESTORE_WORKER_YOUNG_MB } from '../pool/worker-pool.js';
import { BlobReader } from '../repo/blob-reader.js';
import { loadIndex } from '../repo/index-load.js';
import { count } from '../report/plural.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface RestoreOptions extends PasswordFlags {
  readonly repo: string;
  readonly snapshot: string;
  readonly target: string;
  readonly paths: readonly string[];
  /** --overwrite MODE; a bare --overwrite is `always`. */
  readonly overwrite?: string | boolean;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly numericOwner?: boolean;
  readonly jobs?: string;
}

export async function restore(options: RestoreOptions): Promise<ExitCode> {
  const overwrite = overwriteMode(options.overwrite);
  const repo = await openRepository(options.repo, options);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const codec = await repositoryCodec();
  // Its main thread awaits the workers and the tree reads, never blocking for long: the refresher
  // thread can wait 10 s (a restore of the /usr/share copy is over in 3 s: 10 MB and 0.1 s less).
  const lock = await RepositoryLock.acquire(repo, 'shared', { command: 'restore', refresher: 'later-thread' });
  let reader: BlobReader | undefined;
  let pool: ReturnType<typeof createWorkerPool> | undefined;
  try {
    const { id, snapshot } = await findSnapshot(repo, options.snapshot, log);
    const loaded = await loadIndex(repo.storage, repo.sealer);
    for (const error of loaded.damaged) log(`vigil: ${error.message}`);
    reader = new BlobReader(repo.storage, loaded.index, repo.sealer, repo.ids, codec);
    const target = resolve(options.target);
    // Each worker starts with the index this thread loaded: shared memory, not a copy of its own.
    pool = createWorkerPool(
      'vigil-restore',
      { jobs: options.jobs },
      {
        youngGenerationMb: RESTORE_WORKER_YOUNG_MB,
        startWith: { task: restoreTasks.startRestoreWorker, args: [loaded.index.share()] },
      },
    );
    const outcome = await restoreTree({
      reader,
      root: snapshot.tree,
      target,
      only: options.paths.map((p) => Buffer.from(resolve('/', p))),
      include: options.include ?? [],
      exclude: options.exclude ?? [],
      overwrite,
      numericOwner: options.numericOwner === true,
      report: log,
      onNotice: (notice) => log(`vigil: ${notice.message}`),
      workers: { pool, secrets: repo.secrets, runId: randomBytes(8).toString('hex') },
    });
    if (outcome.notFound.length > 0) {
      for (const path of outcome.notFound) log(`vigil: ${path}: not in snapshot ${shortId(id)}`);
      log(`vigil: nothing restored: list what snapshot ${shortId(id)} holds with vigil ls, or check the spelling`);
      return exitCodeForOutcome({ failures: outcome.notFound.length });
    }
    const parts = [`restored ${count(outcome.restored, 'entry', 'entries')} of snapshot ${shortId(id)} to ${target}`];
    if (outcome.identical > 0) parts.push(`${count(outcome.identical, 'entry', 'entries')} already there as recorded`);
    if (outcome.failed > 0) parts.push(`${outcome.failed} failed`);
    process.stdout.write(`${parts.join('; ')}\n`);
    return exitCodeForOutcome({ failures: outcome.failed });
  } finally {
    await reader?.close();
    await pool?.terminate();
    await lock.release();
  }
}

function overwriteMode(flag: string | boolean | undefined): OverwriteMode {
  if (flag === undefined || flag === false) return 'never';
  if (flag === true) return 'always';
  if ((OVERWRITE_MODES as readonly string[]).includes(flag)) return flag as OverwriteMode;
  throw new UsageError(`--overwrite takes ${OVERWRITE_MODES.join(', ')}; got "${flag}"`);
}
