/**
 * `vigil hash`: validates the options, builds the printer, progress and pool, then runs
 * either the tree hasher or the manifest verifier, and returns the exit code.
 */

import type { AlgorithmName } from '../checksums/algorithms.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { createWorkerPool } from '../pool/worker-pool.js';
import { JsonPrinter } from '../report/json-printer.js';
import { type Progress, silentProgress, terminalProgress } from '../report/progress.js';
import { TextPrinter } from '../report/text-printer.js';
import { hashTree } from '../scan/hash-tree.js';
import type { RecordSink } from '../scan/record-sink.js';
import type { CommandHooks } from './hooks.js';
import { resolveAlgorithm } from './setup.js';

export interface HashOptions {
  readonly paths: readonly string[];
  /** Undefined: BLAKE3 (and, for --check, the digest length may choose). */
  readonly algo?: string;
  /** Manifests to verify (`--check`); when set, `paths` are more manifests. */
  readonly check?: string;
  readonly tag?: boolean;
  readonly json?: boolean;
  readonly ndjson?: boolean;
  readonly unordered?: boolean;
  readonly jobs?: string;
  /** Hash on `tandem worker` hosts through this Redis (with `queue`) instead of local threads. */
  readonly redis?: string;
  readonly queue?: string;
  readonly exclude?: readonly string[];
  readonly follow?: boolean;
  readonly oneFileSystem?: boolean;
  readonly quiet?: boolean;
  readonly status?: boolean;
  readonly ignoreMissing?: boolean;
  readonly strict?: boolean;
  readonly warn?: boolean;
  /** commander's `--no-progress` sets this to false. */
  readonly progress?: boolean;
}

export async function hash(options: HashOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const algorithm = resolveAlgorithm(options.algo);
  const checking = options.check !== undefined;
  rejectConflicts(options, checking);

  const showProgress = options.progress !== false && !options.quiet && !options.status && process.stderr.isTTY === true;
  const progress: Progress = showProgress ? terminalProgress(process.stderr) : silentProgress(process.stderr);
  const printer = createPrinter(options, algorithm, checking, progress);
  const pool = createWorkerPool('vigil-hash', options);
  try {
    const outcome = checking
      ? await (await import('../scan/check-checksums.js')).checkChecksumFiles({
          manifests: [options.check as string, ...options.paths],
          algorithm,
          algorithmDefaulted: options.algo === undefined,
          pool,
          printer,
          progress,
          ignoreMissing: options.ignoreMissing === true,
          strict: options.strict === true,
          warn: options.warn === true,
          status: options.status === true,
          stdin: process.stdin,
          hashBatch: hooks.hashBatch,
        })
      : await hashTree({
          operands: (options.paths.length > 0 ? options.paths : ['.']).map((p) => Buffer.from(p)),
          walk: {
            follow: options.follow === true,
            oneFileSystem: options.oneFileSystem === true,
            excludes: options.exclude ?? [],
          },
          algorithm,
          pool,
          ordered: options.unordered !== true,
          printer,
          progress,
          hashBatch: hooks.hashBatch,
        });
    return exitCodeForOutcome(outcome);
  } finally {
    progress.stop();
    await pool.terminate();
  }
}

function rejectConflicts(options: HashOptions, checking: boolean): void {
  if (options.json && options.ndjson) throw new UsageError('--json and --ndjson exclude each other: pick one');
  const checkOnly = (['status', 'ignoreMissing', 'strict', 'warn'] as const).filter((k) => options[k]);
  if (!checking && checkOnly.length > 0) {
    const flag = checkOnly[0] === 'ignoreMissing' ? 'ignore-missing' : checkOnly[0];
    throw new UsageError(`--${flag} is meaningful only with --check`);
  }
  if (checking && options.tag) throw new UsageError('--tag is meaningless with --check (tagged lines are read anyway)');
}

function createPrinter(
  options: HashOptions,
  algorithm: AlgorithmName,
  checking: boolean,
  progress: Progress,
): RecordSink {
  const diagnostics = (line: string) => progress.log(line);
  if (options.json || options.ndjson) {
    return new JsonPrinter({
      algorithm,
      mode: checking ? 'check' : 'hash',
      lines: options.ndjson === true,
      status: options.status === true,
      stdout: process.stdout,
      diagnostics,
    });
  }
  return new TextPrinter({
    algorithm,
    style: options.tag ? 'tag' : 'gnu',
    quiet: options.quiet === true,
    status: options.status === true,
    stdout: process.stdout,
    diagnostics,
  });
}
