/**
 * `vigil restore REPO SNAPSHOT TARGET [PATH...]`: recreate the snapshot (or the PATHs in it)
 * under TARGET by absolute path: /home/me/docs comes back as TARGET/home/me/docs.
 */
import { resolve } from 'node:path';
import { Repository } from '../backup/repository.js';
import { executeRestore } from '../backup/restore.js';
import { planRestore } from '../backup/restore-plan.js';
import { readEntries } from '../backup/snapshot-record.js';
import { findSnapshot } from '../backup/snapshots.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';

export interface RestoreOptions {
  readonly repo: string;
  readonly snapshot: string;
  readonly target: string;
  readonly paths: readonly string[];
  readonly overwrite?: boolean;
}

export async function restore(options: RestoreOptions): Promise<ExitCode> {
  const repo = Repository.open(options.repo);
  const snapshot = findSnapshot(repo, options.snapshot);
  const filters = options.paths.map((p) => Buffer.from(resolve('/', p)));
  const plan = planRestore(readEntries(snapshot.path), filters);
  const outcome = executeRestore(repo, plan, resolve(options.target), options.overwrite === true, (line) =>
    process.stderr.write(`${line}\n`),
  );
  process.stdout.write(
    `restored ${outcome.restored} entries of snapshot ${snapshot.header.id} to ${resolve(options.target)}` +
      `${outcome.failed > 0 ? `; ${outcome.failed} failed` : ''}\n`,
  );
  return exitCodeForOutcome({ failures: outcome.failed });
}
