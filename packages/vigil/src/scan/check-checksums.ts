/**
 * `vigil hash --check FILE...`: reads checksum lines (checksums/) as they stream in, hashes the
 * files they name on every worker, and reports each line in manifest order, with
 * coreutils' flags (--quiet, --status, --ignore-missing, --strict, --warn) and warnings.
 */

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ALGORITHM_INFO, type AlgorithmName } from '../checksums/algorithms.js';
import { readLines } from '../checksums/lines.js';
import { type ManifestForm, type ParsedLine, parseChecksumLine } from '../checksums/parse.js';
import { ManifestReadError } from '../errors.js';
import type { RunOutcome } from '../exit.js';
import { describeErrno } from '../fs/failures.js';
import { PathFlag } from '../fs/records.js';
import type { HashPools } from '../pool/hash-pools.js';
import type { ProgressSink } from '../progress-sink.js';
import { displayPath } from '../report/printer.js';
import { probeAlgorithm } from './check-probe.js';
import { FileBatch } from './file-batch.js';
import { type FileOutcome, type HashEngineOptions, treeHashEngine } from './hash-engine.js';
import { MAX_HELD_RECORDS } from './hash-tree.js';
import { OrderedRelease } from './ordered-release.js';
import type { RecordSink } from './record-sink.js';
import type { CheckRecord, CheckSummary } from './records.js';

/** Unreadable files the probe asks (check-probe.ts) before it gives up and keeps the usual algorithm. */
const MAX_PROBES = 64;

export interface CheckChecksumsOptions {
  readonly manifests: readonly string[];
  readonly algorithm: AlgorithmName;
  /** The algorithm was not given: untagged lines may pick one by digest length. */
  readonly algorithmDefaulted: boolean;
  readonly pools: HashPools;
  readonly printer: RecordSink;
  readonly progress: ProgressSink;
  readonly ignoreMissing: boolean;
  readonly strict: boolean;
  readonly warn: boolean;
  readonly status: boolean;
  readonly stdin: Readable;
  /** The worker task (tests give one that observes reads). */
  readonly hashBatch?: HashEngineOptions['hashBatch'];
  /** Where workers count what they have read of big files (see HashEngineOptions). */
  readonly reading?: HashEngineOptions['reading'];
}

/** What one run learns from its manifests and keeps for the next ones. */
interface RunState {
  /** Standard or one-space untagged lines (coreutils does not let a run mix them). */
  readonly form: ManifestForm;
  /** The algorithm of untagged lines of a digest length several fit, once the probe has decided it. */
  readonly byLength: Map<number, AlgorithmName>;
  probesLeft: number;
}

interface Expectation {
  readonly expected: string;
  readonly algorithm: AlgorithmName;
}

export async function checkChecksumFiles(options: CheckChecksumsOptions): Promise<RunOutcome> {
  let otherFailure = false;
  const total: CheckSummary = { ok: 0, failed: 0, unreadable: 0, malformed: 0, missingIgnored: 0 };
  const state: RunState = { form: {}, byLength: new Map(), probesLeft: MAX_PROBES };
  for (const manifest of options.manifests) {
    const outcome = await checkChecksumFile(manifest, options, state);
    for (const key of Object.keys(total) as (keyof CheckSummary)[]) total[key] += outcome.summary[key];
    otherFailure ||= outcome.otherFailure;
  }
  options.progress.stop();
  await options.printer.finishCheck(total);
  return { failures: total.failed + total.unreadable, otherFailure };
}

async function checkChecksumFile(
  manifest: string,
  options: CheckChecksumsOptions,
  state: RunState,
): Promise<{ summary: CheckSummary; otherFailure: boolean }> {
  const { printer, pools, progress } = options;
  const summary: CheckSummary = { ok: 0, failed: 0, unreadable: 0, malformed: 0, missingIgnored: 0 };
  const expectations = new Map<number, Expectation>();
  const release = new OrderedRelease<CheckRecord | undefined>((record) => {
    if (record === undefined) return;
    summary[record.status === 'ok' ? 'ok' : record.status === 'failed' ? 'failed' : 'unreadable']++;
    printer.check(record);
  });
  const engine = treeHashEngine(options, false, (seq, path, outcome) => {
    const expectation = expectations.get(seq) as Expectation;
    expectations.delete(seq);
    settle(seq, path, outcome, expectation);
  });
  const settle = (seq: number, path: Buffer, outcome: FileOutcome, expectation: Expectation) => {
    const base = { type: 'check', path, algorithm: expectation.algorithm, expected: expectation.expected } as const;
    if (outcome.kind === 'hashed') {
      const actual = outcome.digest.toString('hex');
      release.put(seq, { ...base, status: actual === expectation.expected ? 'ok' : 'failed', actual });
    } else if (outcome.kind === 'failed' && outcome.code === 'ENOENT' && options.ignoreMissing) {
      summary.missingIgnored++;
      release.put(seq, undefined);
    } else {
      const code = outcome.kind === 'failed' ? outcome.code : 'ENOTREG';
      const message =
        outcome.kind === 'failed'
          ? outcome.message
          : outcome.what === 'directory'
            ? describeErrno('EISDIR')
            : `is a ${outcome.what}: vigil never opens FIFOs, sockets or devices`;
      release.put(seq, { ...base, status: 'unreadable', code, message });
    }
  };
  // Lines whose file the probe could not read: reported once the run knows their algorithm.
  let undecided: { seq: number; name: Buffer; expected: string; outcome: FileOutcome; usual: AlgorithmName }[] = [];
  const settleUndecided = () => {
    const left: typeof undecided = [];
    for (const line of undecided) {
      const algorithm = state.byLength.get(line.expected.length) ?? (done ? line.usual : undefined);
      if (algorithm === undefined) left.push(line);
      else settle(line.seq, line.name, line.outcome, { expected: line.expected, algorithm });
    }
    undecided = left;
  };
  let done = false;

  const source = openManifest(manifest, options.stdin);
  // coreutils' name for it in diagnostics.
  const shown = manifest === '-' ? 'standard input' : manifest;
  const malformed = new MalformedLineWarnings(
    (lineNumber, algorithm) =>
      printer.warn(`${shown}: ${lineNumber}: improperly formatted ${ALGORITHM_INFO[algorithm].tag} checksum line`),
    options.algorithmDefaulted ? undefined : options.algorithm,
  );
  let seq = 0;
  let lineNumber = 0;
  let batch = new FileBatch();
  let batchAlgorithm: AlgorithmName = options.algorithm;
  const send = () => {
    engine.submit(batch, batchAlgorithm);
    batch = new FileBatch();
  };
  try {
    for await (const line of readLines(source)) {
      lineNumber++;
      const parsed = parseChecksumLine(line, options.algorithm, options.algorithmDefaulted, state.form);
      if (parsed.kind === 'ignored') continue;
      if (parsed.kind === 'malformed') {
        summary.malformed++;
        if (options.warn) malformed.line(lineNumber);
        continue;
      }
      let algorithm = parsed.algorithm;
      if (parsed.candidates) {
        const decided = await sameLengthAlgorithm(parsed, parsed.candidates, shown, options, state);
        if (typeof decided !== 'string') {
          progress.found(1);
          const { name, expected } = parsed;
          undecided.push({ seq: seq++, name, expected, outcome: decided.outcome, usual: parsed.algorithm });
          continue;
        }
        algorithm = decided;
        settleUndecided();
      }
      malformed.known(algorithm);
      if (batch.size > 0 && algorithm !== batchAlgorithm) send();
      batchAlgorithm = algorithm;
      const lineSeq = seq++;
      expectations.set(lineSeq, { expected: parsed.expected, algorithm });
      batch.add(lineSeq, parsed.name, PathFlag.follow | PathFlag.readLinked, 0);
      progress.found(1);
      // Until the first batch fills, none goes out: a manifest that ends first is checked in
      // this thread, with no worker started (hash-pools.ts).
      if (batch.full || (engine.started && engine.count < pools.workers)) {
        send();
        await engine.waitForRoom();
        while (release.held > MAX_HELD_RECORDS && engine.count > 0) await engine.settled();
        while (printer.blocked) await printer.blocked;
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== undefined) throw new ManifestReadError(manifest, error);
    throw error;
  }
  if (batch.size > 0) {
    engine.submit(batch, batchAlgorithm, !engine.started);
    batch = new FileBatch();
  }
  done = true;
  settleUndecided();
  malformed.known(options.algorithm);
  progress.walkDone();
  await engine.drain();

  const properLines = seq;
  let otherFailure = false;
  if (properLines === 0) {
    printer.warn(`${shown}: no properly formatted checksum lines found`);
    otherFailure = true;
  } else if (!options.status) {
    if (summary.malformed > 0)
      printer.warn(`WARNING: ${plural(summary.malformed, 'line is', 'lines are')} improperly formatted`);
    if (summary.unreadable > 0)
      printer.warn(`WARNING: ${plural(summary.unreadable, 'listed file', 'listed files')} could not be read`);
    if (summary.failed > 0)
      printer.warn(`WARNING: ${plural(summary.failed, 'computed checksum', 'computed checksums')} did NOT match`);
  }
  if (properLines > 0 && options.ignoreMissing && summary.ok + summary.failed + summary.unreadable === 0) {
    printer.warn(`${shown}: no file was verified`);
    otherFailure = true;
  }
  if (options.strict && summary.malformed > 0) otherFailure = true;
  return { summary, otherFailure };
}

/**
 * The algorithm of an untagged line whose digest length several algorithms have, when --algo
 * was not given: decided once per run and length by the first listed file that can be read
 * (check-probe.ts), and said on stderr. A line whose file cannot be read gets the outcome of
 * that read instead, to report once the run has decided.
 */
async function sameLengthAlgorithm(
  parsed: Extract<ParsedLine, { kind: 'entry' }>,
  candidates: readonly AlgorithmName[],
  manifest: string,
  options: CheckChecksumsOptions,
  state: RunState,
): Promise<AlgorithmName | { readonly outcome: FileOutcome }> {
  const digits = parsed.expected.length;
  const known = state.byLength.get(digits);
  if (known !== undefined) return known;
  if (state.probesLeft === 0) return parsed.algorithm;
  state.probesLeft--;
  const probe = await probeAlgorithm(options.pools, parsed.name, parsed.expected, candidates, options.hashBatch);
  if (probe.kind === 'unreadable') return { outcome: probe.outcome }; // ask the next line's file
  const decided = probe.kind === 'matched' ? probe.algorithm : parsed.algorithm;
  state.byLength.set(digits, decided);
  if (!options.status) {
    const named = displayPath(parsed.name);
    const tags = candidates.map((name) => ALGORITHM_INFO[name].tag).join(', ');
    options.printer.warn(
      probe.kind === 'matched'
        ? `${manifest}: untagged ${digits}-digit lines are ${ALGORITHM_INFO[decided].tag} (${named} matched); --algo sets it`
        : `${manifest}: ${named} matches none of ${tags}; checking as ${ALGORITHM_INFO[decided].tag} (--algo sets it)`,
    );
  }
  return decided;
}

function openManifest(manifest: string, stdin: Readable): Readable {
  return manifest === '-' ? stdin : createReadStream(manifest);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * `--warn`'s line for an improperly formatted line names the algorithm, as coreutils' tools
 * name theirs. Without --algo the algorithm is what the manifest's own lines turn out to be
 * (sha256 lines named BLAKE3 would mislead), so the warnings of lines met before the first
 * well-formed one wait until it is known; at the end of the manifest, the default is named.
 */
class MalformedLineWarnings {
  readonly #waiting: number[] = [];
  #algorithm: AlgorithmName | undefined;

  constructor(
    private readonly warn: (lineNumber: number, algorithm: AlgorithmName) => void,
    algorithm: AlgorithmName | undefined,
  ) {
    this.#algorithm = algorithm;
  }

  line(lineNumber: number): void {
    if (this.#algorithm === undefined) this.#waiting.push(lineNumber);
    else this.warn(lineNumber, this.#algorithm);
  }

  /** The algorithm of a well-formed line (the first one counts), or the default at the end. */
  known(algorithm: AlgorithmName): void {
    if (this.#algorithm !== undefined) return;
    this.#algorithm = algorithm;
    for (const lineNumber of this.#waiting.splice(0)) this.warn(lineNumber, algorithm);
  }
}
