/**
 * `vigil restore REPO SNAPSHOT TARGET [PATH...]`: recreate the snapshot (or the PATHs in it)
 * under TARGET by absolute path: /home/me/docs comes back as TARGET/home/me/docs, with owners
 * (as root), modes, times to the nanosecond, extended attributes and ACLs, hard links,
 * FIFOs and devices, and holes; every chunk checked against its id.
 */
import { resolve } from 'node:path';
import { RepositoryLock } from '../backup/lock.js';
import { restoreTree } from '../backup/restore.js';
import { findSnapshot, shortId } from '../backup/snapshots.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { BlobReader } from '../repo/blob-reader.js';
import { loadIndex } from '../repo/index-load.js';
import { count } from '../report/plural.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface RestoreOptions extends PasswordFlags {
  readonly repo: string;
  readonly snapshot: string;
  readonly target: string;
  readonly paths: readonly string[];
  readonly overwrite?: boolean;
  readonly numericOwner?: boolean;
}

export async function restore(options: RestoreOptions): Promise<ExitCode> {
  const repo = await openRepository(options.repo, options);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const codec = await repositoryCodec();
  const lock = RepositoryLock.acquire(repo, 'shared', { command: 'restore' });
  let reader: BlobReader | undefined;
  try {
    const { id, snapshot } = findSnapshot(repo, options.snapshot, log);
    const loaded = loadIndex(repo.root, repo.sealer);
    for (const error of loaded.damaged) log(`vigil: ${error.message}`);
    reader = new BlobReader(repo.root, loaded.index, repo.sealer, repo.ids, codec);
    const target = resolve(options.target);
    const outcome = await restoreTree({
      reader,
      root: snapshot.tree,
      target,
      only: options.paths.map((p) => Buffer.from(resolve('/', p))),
      overwrite: options.overwrite === true,
      numericOwner: options.numericOwner === true,
      report: log,
      onNotice: (notice) => log(`vigil: ${notice.message}`),
    });
    for (const path of outcome.notFound) log(`vigil: ${path}: not in snapshot ${shortId(id)}`);
    process.stdout.write(
      `restored ${count(outcome.restored, 'entry', 'entries')} of snapshot ${shortId(id)} to ${target}` +
        `${outcome.failed > 0 ? `; ${outcome.failed} failed` : ''}\n`,
    );
    return exitCodeForOutcome({ failures: outcome.failed + outcome.notFound.length });
  } finally {
    reader?.close();
    lock.release();
  }
}
