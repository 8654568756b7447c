/**
 * `vigil hash`: validates the options, builds the printer, progress and pool, then runs
 * either the tree hasher or the manifest verifier, and returns the exit code.
 */

import { fstatSync } from 'node:fs';
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
  /**
   * Verify manifests (`--check`): `paths` are the manifests (none: stdin). A string is a
   * manifest given as the option's value (`--check SUMS`, `--check=SUMS`), read first.
   */
  readonly check?: string | boolean;
  /** Which of --status, --warn and --quiet came last (the last one wins, as in coreutils). */
  readonly checkVerbosity?: CheckVerbosity;
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
  /** Name every symlink the walk skips (else one summary line). */
  readonly verbose?: boolean;
  readonly status?: boolean;
  readonly ignoreMissing?: boolean;
  readonly strict?: boolean;
  readonly warn?: boolean;
  /** commander's `--no-progress` sets this to false. */
  readonly progress?: boolean;
}

export type CheckVerbosity = 'status' | 'warn' | 'quiet';

export async function hash(options: HashOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const algorithm = resolveAlgorithm(options.algo);
  const checking = options.check !== undefined && options.check !== false;
  rejectConflicts(options, checking);
  const verbosity = checkVerbosity(options, checking);

  // --quiet trims the output, not the bar (which is on stderr, and only on a terminal).
  const showProgress = options.progress !== false && !verbosity.status && process.stderr.isTTY === true;
  const progress: Progress = showProgress ? terminalProgress(process.stderr) : silentProgress(process.stderr);
  const printer = createPrinter(options, verbosity, algorithm, checking, progress);
  const pool = createWorkerPool('vigil-hash', options);
  try {
    const outcome = checking
      ? await (await import('../scan/check-checksums.js')).checkChecksumFiles({
          manifests: manifestsToCheck(options),
          algorithm,
          algorithmDefaulted: options.algo === undefined,
          pool,
          printer,
          progress,
          ignoreMissing: options.ignoreMissing === true,
          strict: options.strict === true,
          warn: verbosity.warn,
          status: verbosity.status,
          stdin: process.stdin,
          hashBatch: hooks.hashBatch,
        })
      : await hashTree({
          operands: operandsToHash(options.paths, progress),
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
          stdin: process.stdin,
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

/**
 * What to hash: the operands, or `.` without any (unlike sha256sum, which reads stdin then).
 * Someone piping into vigil may expect the pipe to be read: say what happens and how.
 */
function operandsToHash(paths: readonly string[], progress: Progress): Buffer[] {
  if (paths.length > 0) return paths.map((p) => Buffer.from(p));
  if (stdinIsPipe()) progress.log('vigil: no operand: hashing the tree under "." (to hash the pipe, pass "-")');
  return [Buffer.from('.')];
}

/** A pipe, or the socket pair a parent such as Node.js gives its children as stdin. */
function stdinIsPipe(): boolean {
  try {
    const stats = fstatSync(0);
    return stats.isFIFO() || stats.isSocket();
  } catch {
    return false;
  }
}

/** The manifests --check reads: the option's value if it has one, then the operands; none means stdin. */
function manifestsToCheck(options: HashOptions): string[] {
  const manifests = [...(typeof options.check === 'string' ? [options.check] : []), ...options.paths];
  return manifests.length > 0 ? manifests : ['-'];
}

interface Verbosity {
  readonly quiet: boolean;
  readonly status: boolean;
  readonly warn: boolean;
}

/** --status, --warn and --quiet under --check: the last one given wins; without --check, -q alone counts. */
function checkVerbosity(options: HashOptions, checking: boolean): Verbosity {
  const last = checking ? options.checkVerbosity : undefined;
  if (last !== undefined) return { quiet: last === 'quiet', status: last === 'status', warn: last === 'warn' };
  return { quiet: options.quiet === true, status: options.status === true, warn: options.warn === true };
}

function createPrinter(
  options: HashOptions,
  verbosity: Verbosity,
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
      status: verbosity.status,
      stdout: process.stdout,
      diagnostics,
    });
  }
  return new TextPrinter({
    algorithm,
    style: options.tag ? 'tag' : 'gnu',
    quiet: verbosity.quiet,
    verbose: options.verbose === true,
    status: verbosity.status,
    stdout: process.stdout,
    diagnostics,
  });
}
