/**
 * `vigil check DIR`: compares the tree with its baseline and reports what changed, grouped;
 * exit 0 when nothing did, 1 when something did. The baseline is opened read-only: a check,
 * interrupted or not, never changes it.
 */
import { ChangeStream } from '../baseline/change-stream.js';
import { scanTree } from '../baseline/scan-tree.js';
import { loadVerifyingKey, verifyBaseline } from '../baseline/signature.js';
import { BaselineReader } from '../baseline/store.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForChanges } from '../exit.js';
import { xattrsUnreadableBecause } from '../fs/reader.js';
import { createHashPools } from '../pool/hash-pools.js';
import { readingCounterFor } from '../pool/worker-pool.js';
import { ChangeJsonPrinter } from '../report/change-json-printer.js';
import { type ChangePrinter, totalChanges } from '../report/change-printer.js';
import { ChangeTextPrinter } from '../report/change-text-printer.js';
import type { Progress } from '../report/progress.js';
import type { CommandHooks } from './hooks.js';
import { colorsFor, createProgress, resolveAlgorithm } from './setup.js';
import { locateBaseline, type ScanCommandOptions, scanAgainst, type VerifyOptions } from './tree-baseline.js';

export interface CheckOptions extends ScanCommandOptions, VerifyOptions {
  readonly full?: boolean;
  readonly json?: boolean;
  readonly ndjson?: boolean;
}

export async function check(options: CheckOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  if (options.json && options.ndjson) throw new UsageError('--json and --ndjson exclude each other: pick one');
  const { root, dbPath } = locateBaseline(options);
  const verifyingKey = options.verifyKey === undefined ? undefined : loadVerifyingKey(options.verifyKey);
  const reader = BaselineReader.open(dbPath);
  if (verifyingKey) {
    try {
      verifyBaseline(dbPath, verifyingKey);
    } catch (error) {
      reader.close();
      throw error;
    }
  }
  const progress = createProgress(options.progress);
  const pools = createHashPools('vigil-check', { jobs: options.jobs });
  try {
    const algorithm = resolveAlgorithm(reader.meta.algorithm);
    const printer = createPrinter(options, progress);
    const changes = new ChangeStream(printer);
    const xattrsUnreadable = xattrsUnreadableBecause();
    if (xattrsUnreadable) printer.warn(`extended attributes not checked: ${xattrsUnreadable}`);
    const totals = await scanTree({
      ...scanAgainst(reader, root, dbPath),
      pools,
      algorithm,
      full: options.full === true,
      progress,
      reading: readingCounterFor({ jobs: options.jobs }, progress),
      inspectBatch: hooks.inspectBatch,
      onEntry: (stored, scanned) => changes.onEntry(stored, scanned),
      onBatchDone: () => printer.flush(),
      blocked: () => printer.blocked,
    });
    changes.finish();
    progress.stop();
    const summary = { changes: changes.counts, ...totals, baseline: dbPath };
    await printer.finish(summary);
    return exitCodeForChanges(totalChanges(summary));
  } finally {
    progress.stop();
    reader.close();
    await pools.terminate();
  }
}

function createPrinter(options: CheckOptions, progress: Progress): ChangePrinter {
  const diagnostics = (line: string) => progress.log(line);
  if (options.json || options.ndjson) {
    return new ChangeJsonPrinter({ lines: options.ndjson === true, stdout: process.stdout, diagnostics });
  }
  return new ChangeTextPrinter({ stdout: process.stdout, diagnostics, colors: colorsFor(process.stdout) });
}
