/**
 * `vigil hash`: validates the options, builds the printer, progress and pool, then runs
 * either the tree hasher or the manifest verifier, and returns the exit code.
 */

import { fstatSync } from 'node:fs';
import type { AlgorithmName } from '../checksums/algorithms.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { looksLikeManyFiles } from '../pool/early-start.js';
import { createHashPools } from '../pool/hash-pools.js';
import { readingCounterFor } from '../pool/worker-pool.js';
import { JsonPrinter } from '../report/json-printer.js';
import { type Progress, silentProgress, terminalProgress } from '../report/progress.js';
import { TextPrinter } from '../report/text-printer.js';
import { BLAKE3_KEY_BYTES, type Blake3Mode, MAX_BLAKE3_LENGTH } from '../scan/blake3-mode.js';
import hashTasks from '../scan/hash-tasks.js';
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
  /** -b: the `*` (binary) marker in lines; -t: the default two spaces. Both as in coreutils. */
  readonly binary?: boolean;
  readonly text?: boolean;
  /** -z: lines end with NUL, names unescaped. */
  readonly zero?: boolean;
  /** b3sum's --no-names (commander's `--no-names` sets `names` to false) and --raw. */
  readonly names?: boolean;
  readonly raw?: boolean;
  /** b3sum's BLAKE3 modes: --length N (output bytes), --keyed (a 32-byte key on stdin), --derive-key CONTEXT. */
  readonly length?: string;
  readonly keyed?: boolean;
  readonly deriveKey?: string;
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
  const blake3 = await blake3ModeFor(options, algorithm, checking);
  const pools = createHashPools('vigil-hash', options);
  const operands = checking ? [] : operandsToHash(options.paths, progress, options.keyed === true);
  // Workers start while this thread loads the hashing modules and walks (pool/early-start.ts).
  if (looksLikeManyFiles(operands)) pools.startWorkers(hashTasks.prepareReader);
  const reading = readingCounterFor(options, progress);
  try {
    const { hashTree } = await import('../scan/hash-tree.js');
    const outcome = checking
      ? await (await import('../scan/check-checksums.js')).checkChecksumFiles({
          manifests: manifestsToCheck(options),
          algorithm,
          algorithmDefaulted: options.algo === undefined,
          pools,
          printer,
          progress,
          ignoreMissing: options.ignoreMissing === true,
          strict: options.strict === true,
          warn: verbosity.warn,
          status: verbosity.status,
          stdin: process.stdin,
          hashBatch: hooks.hashBatch,
          reading,
        })
      : await hashTree({
          operands,
          walk: {
            follow: options.follow === true,
            oneFileSystem: options.oneFileSystem === true,
            excludes: options.exclude ?? [],
          },
          algorithm,
          pools,
          ordered: options.unordered !== true,
          printer,
          progress,
          stdin: process.stdin,
          ...(blake3 ? { blake3 } : {}),
          hashBatch: hooks.hashBatch,
          reading,
        });
    return exitCodeForOutcome(outcome);
  } finally {
    progress.stop();
    await pools.terminate();
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
  const hashOnly = (
    [
      ['binary', '--binary'],
      ['text', '--text'],
      ['zero', '--zero'],
      ['raw', '--raw'],
    ] as const
  ).filter(([k]) => options[k]);
  if (checking && options.names === false) throw new UsageError('--no-names is meaningless with --check');
  if (checking && hashOnly.length > 0)
    throw new UsageError(
      `${hashOnly[0]?.[1]} is meaningless when verifying checksums (it shapes the lines hash writes)`,
    );
  if (options.binary && options.text) throw new UsageError('--binary and --text exclude each other: pick one');
  if (options.raw && (options.json || options.ndjson || options.tag))
    throw new UsageError('--raw writes the bytes of one digest: it does not go with --json, --ndjson or --tag');
  if (options.raw && options.paths.length !== 1)
    throw new UsageError('--raw writes the bytes of one digest: give exactly one file (as b3sum --raw does)');
}

/**
 * What to hash: the operands, or `.` without any (unlike sha256sum, which reads stdin then).
 * Someone piping into vigil may expect the pipe to be read: say what happens and how.
 */
function operandsToHash(paths: readonly string[], progress: Progress, keyOnStdin: boolean): Buffer[] {
  if (paths.length > 0) return paths.map((p) => Buffer.from(p));
  if (!keyOnStdin && stdinIsPipe())
    progress.log('vigil: no operand: hashing the tree under "." (to hash the pipe, pass "-")');
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

/** b3sum's --length, --keyed and --derive-key, checked; undefined when none is given. */
async function blake3ModeFor(
  options: HashOptions,
  algorithm: AlgorithmName,
  checking: boolean,
): Promise<Blake3Mode | undefined> {
  const given = [
    options.length !== undefined && '--length',
    options.keyed && '--keyed',
    options.deriveKey !== undefined && '--derive-key',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (given.length === 0) return undefined;
  if (algorithm !== 'blake3')
    throw new UsageError(`${given[0]} is a BLAKE3 mode: it does not go with --algo ${algorithm}`);
  if (checking) throw new UsageError(`${given[0]} is not supported with --check (b3sum's --check takes none of them)`);
  if (options.keyed && options.deriveKey !== undefined)
    throw new UsageError('--keyed and --derive-key exclude each other: pick one');
  let length = 32;
  if (options.length !== undefined) {
    length = Number(options.length);
    if (!/^\d+$/.test(options.length) || length < 1 || length > MAX_BLAKE3_LENGTH)
      throw new UsageError(`--length takes a number of bytes from 1 to ${MAX_BLAKE3_LENGTH}, not "${options.length}"`);
  }
  if (options.deriveKey !== undefined) return { context: options.deriveKey, length };
  if (!options.keyed) return { length };
  if (options.paths.includes('-'))
    throw new UsageError('--keyed reads the key from stdin, so "-" cannot also hash stdin: name the files');
  const key = await readAll(process.stdin);
  if (key.length !== BLAKE3_KEY_BYTES)
    throw new UsageError(
      `--keyed reads a key of exactly ${BLAKE3_KEY_BYTES} raw bytes from stdin, and got ${key.length}: pipe the key file in (vigil hash --keyed FILE < KEY)`,
    );
  return { key, length };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
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
    shape: { binary: options.binary === true, zero: options.zero === true, noNames: options.names === false },
    raw: options.raw === true,
    quiet: verbosity.quiet,
    verbose: options.verbose === true,
    status: verbosity.status,
    stdout: process.stdout,
    diagnostics,
  });
}
