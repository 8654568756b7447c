/**
 * `vigil verify REPO [SNAPSHOT]`: check the repository's index, packs and snapshots; by default
 * every pack and chunk is read and checked too (--structure-only skips the data: fast, for a
 * quick look). Exit 1 on any finding, each naming the snapshot and path it harms.
 */
import { describeSubset, parseDataSubset, selectPacks } from '../backup/data-subset.js';
import { withRepositoryLock } from '../backup/lock.js';
import { findSnapshot, shortId } from '../backup/snapshots.js';
import { verifyRepository } from '../backup/verify.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { count } from '../report/plural.js';
import type { CommandHooks } from './hooks.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface VerifyOptions extends PasswordFlags {
  readonly repo: string;
  readonly snapshot?: string;
  readonly structureOnly?: boolean;
  /** `N/M` or `P%`: read only that subset of the packs (data-subset.ts). */
  readonly readDataSubset?: string;
  readonly json?: boolean;
}

export async function verify(options: VerifyOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  if (options.readDataSubset !== undefined && options.structureOnly) {
    throw new UsageError('--read-data-subset reads some data and --structure-only none: pick one');
  }
  const subset = options.readDataSubset === undefined ? undefined : parseDataSubset(options.readDataSubset);
  const repo = await openRepository(options.repo, options);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const codec = await repositoryCodec();
  const lock = { command: 'verify', onTaken: hooks.lockTaken };
  const report = await withRepositoryLock(repo, 'shared', lock, async () =>
    verifyRepository({
      repo,
      codec,
      readData: options.structureOnly !== true,
      snapshots: options.snapshot === undefined ? [] : [(await findSnapshot(repo, options.snapshot, log)).id],
      ...(subset ? { selectPacks: (ids: readonly string[]) => selectPacks(subset, ids) } : {}),
    }),
  );
  if (options.json) {
    for (const problem of report.problems)
      process.stdout.write(`${JSON.stringify({ type: 'problem', message: problem })}\n`);
    process.stdout.write(`${JSON.stringify({ type: 'summary', ...report })}\n`);
  } else {
    for (const problem of report.problems) log(`vigil: ${problem}`);
    const damaged = report.damagedSnapshots.map(shortId);
    process.stdout.write(
      `verified ${count(report.snapshotsChecked, 'snapshot')}, ${count(report.packsChecked, 'pack')}${subset ? ` (${describeSubset(subset)})` : ''}, ${count(report.chunksChecked, 'chunk')}: ` +
        `${report.problems.length === 0 ? 'all good' : `${count(report.problems.length, 'problem')}; damaged snapshots: ${damaged.join(' ') || 'none'}`}` +
        `${report.unlistedPacks > 0 ? `; ${count(report.unlistedPacks, 'pack')} of an interrupted run, which the next backup resumes from (or forget removes)` : ''}\n`,
    );
  }
  return exitCodeForOutcome({ failures: report.problems.length });
}
