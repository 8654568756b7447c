/**
 * `vigil diff REPO A B`: what changed from snapshot A to snapshot B, in check's groups and
 * marks (added +, removed -, modified ~, moved >, metadata *, touched .), then a summary;
 * `--json`: one object per change as check --ndjson writes them, then a summary object.
 * Exit 0 when compared (changes or not, as restic diff), 1 when a tree could not be read.
 */

import { withRepositoryLock } from '../backup/lock.js';
import { findSnapshot, shortId } from '../backup/snapshots.js';
import { CHANGE_KINDS, type Change, type ChangeKind } from '../baseline/compare.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { diffSnapshots } from '../inspect/snapshot-diff.js';
import { openSnapshotReading } from '../inspect/snapshot-reading.js';
import type { BlobCodec } from '../repo/compression.js';
import type { Repository } from '../repo/repository.js';
import { changeToJson } from '../report/change-json-printer.js';
import { ChangeTextPrinter } from '../report/change-text-printer.js';
import { BufferedOutput } from '../report/output.js';
import { quotePath } from '../report/quote-path.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';
import { colorsFor } from './setup.js';

export interface DiffOptions extends PasswordFlags {
  readonly repo: string;
  readonly before: string;
  readonly after: string;
  readonly json?: boolean;
}

export async function diff(options: DiffOptions): Promise<ExitCode> {
  const repo = await openRepository(options.repo, options);
  const codec = await repositoryCodec();
  return withRepositoryLock(repo, 'shared', { command: 'diff', refresher: 'timer' }, () =>
    compare(options, repo, codec),
  );
}

async function compare(options: DiffOptions, repo: Repository, codec: BlobCodec): Promise<ExitCode> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const a = await findSnapshot(repo, options.before, log);
  const b = await findSnapshot(repo, options.after, () => {});
  const { reader } = await openSnapshotReading(repo, codec, log);
  const counts = Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, 0])) as Record<ChangeKind, number>;
  const json = options.json ? new BufferedOutput(process.stdout as never) : undefined;
  const text = options.json
    ? undefined
    : new ChangeTextPrinter({
        stdout: process.stdout,
        diagnostics: log,
        colors: colorsFor(process.stdout),
        summaryLine: () => line(),
      });
  let totals = { entries: 0, sameTrees: 0, damaged: 0 };
  const line = () => {
    const parts = CHANGE_KINDS.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
    const compared =
      `${shortId(a.id)} -> ${shortId(b.id)}: ${totals.entries} entries compared, ` +
      `${totals.sameTrees} unchanged director${totals.sameTrees === 1 ? 'y' : 'ies'} skipped`;
    return parts.length === 0 ? `No changes (${compared}).` : `Summary: ${parts.join(', ')} (${compared}).`;
  };
  try {
    totals = await diffSnapshots({
      reader,
      before: a.snapshot.tree,
      after: b.snapshot.tree,
      onChange: (change: Change) => {
        counts[change.kind]++;
        if (json) json.write(`${JSON.stringify(changeToJson(change))}\n`);
        else text?.change(change);
      },
      onDamaged: (dir, error) => log(`vigil: ${quotePath(dir)}: cannot be compared: ${error.message}`),
    });
  } finally {
    await reader.close();
  }
  if (json) {
    json.write(`${JSON.stringify({ type: 'summary', before: a.id, after: b.id, changes: counts, ...totals })}\n`);
    await json.end();
  } else {
    const summary = { changes: counts, entries: totals.entries, hashed: 0, trusted: 0, bytesRead: 0, hidden: 0 };
    await text?.finish({ ...summary, baseline: repo.root });
  }
  return exitCodeForOutcome({ failures: totals.damaged });
}
