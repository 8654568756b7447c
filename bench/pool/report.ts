/**
 * Turns a run's figures into the "tandem Pool (bench/pool)" section of docs/benchmarks.md,
 * and writes it in place of that section alone, so other sections of the file survive.
 * The section has two parts: the thread comparison, then the "### Process backend"
 * subsection; a run of one backend replaces its part and keeps the other.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Backend, type Library, libraryLabel } from './adapters/adapter.ts';
import type { Aim, Note } from './aims.ts';
import type { MachineInfo } from './machine.ts';
import type { CpuFigures } from './scenarios/cpu.ts';
import type { LatencyFigures } from './scenarios/latency.ts';
import { STREAM_LABELS, STREAM_VARIANTS, type StreamingFigures } from './scenarios/streaming.ts';
import type { ThroughputFigures } from './scenarios/throughput.ts';
import type { TransferFigures } from './scenarios/transfer.ts';

export const SECTION_TITLE = '## tandem Pool (bench/pool)';
export const PROCESS_TITLE = '### Process backend';
const FILE_TITLE = '# Benchmarks';

export interface RunFigures {
  readonly machine: MachineInfo;
  readonly command: string;
  readonly workers: number;
  readonly repeats: number;
  readonly libraries: readonly Library[];
  readonly latency: LatencyFigures;
  readonly throughput: ThroughputFigures;
  readonly streaming: StreamingFigures;
  readonly cpu: CpuFigures;
  readonly transfer: TransferFigures;
  readonly aims: readonly Aim[];
}

export interface ProcessRunFigures extends Omit<RunFigures, 'aims'> {
  /** The 1-minute load average when the process part started. */
  readonly loadAverage: number;
  /** Repeats of the copy scenario, and calls timed in each (fewer than on threads: every copy takes a while). */
  readonly transferRepeats: number;
  readonly transferRounds: number;
  readonly notes: readonly Note[];
}

/** The section's title, header and thread comparison: everything before the process subsection. */
export function renderSection(f: RunFigures): string {
  const m = f.machine;
  const versions = f.libraries.map((l) => `${l} ${m.versions[l]}`).join(', ');
  const lines = [
    SECTION_TITLE,
    '',
    `Machine: ${m.cores} cores (nproc), ${m.cpuModel}, Node ${m.node}, load average ${m.loadAverage.toFixed(2)} at the start; ${m.date}.`,
    `Libraries: ${versions}; piscina, tinypool (worker_threads runtime) and workerpool (thread workers) at fixed size.`,
    `Command: \`${f.command}\`. Every pool has ${f.workers} workers, is started fresh for each measurement and warmed up;`,
    `each figure is the median of ${f.repeats} such measurements (${Math.min(f.repeats, 3)} for scenarios 2a and 2b), with the libraries' order rotated between repeats.`,
    'Ratios compare tandem with each peer in the same run; the machine is shared, so trust ratios more than absolute figures.',
    '',
    '### Aims (issue 2)',
    '',
    table(
      ['aim', 'measured', 'met'],
      f.aims.map((a) => [a.description, a.measured, a.met ? 'yes' : '**no**']),
    ),
    '',
    `### 1. Round trip of one tiny task, sequential calls (µs)`,
    '',
    latencyTable(f, (l) => l),
    '',
    `### 2a. ${count(f.throughput.calls)} tiny tasks as separate calls, submitted at once`,
    '',
    throughputTable(f, (l) => l),
    '',
    `### 2b. tandem: ${count(f.streaming.items)} tiny items, one apply per item vs map and imap (default options unless stated)`,
    '',
    streamingTable(f.streaming),
    '',
    `### 3. CPU-bound job: ${f.cpu.tasks} equal prime counts, speedup over one thread`,
    '',
    'Each pooled run follows the same job on the main thread alone and on bare worker threads (no pool);',
    "the bare threads' speedup is the free cores at that moment (other work shares this machine). Each column is its own median.",
    '',
    cpuTable(f, (l) => l),
    '',
    `### 4. ${f.transfer.bytes / 2 ** 20} MiB ArrayBuffer by transfer (ms per call)`,
    '',
    'send: moved to a worker, which answers its length. round trip: moved there and back; tandem has no',
    'transfer list for results, so its way home is a structured-clone copy.',
    '',
    transferTable(f, (l) => l, 2),
    '',
  ];
  return lines.join('\n');
}

/** The "### Process backend" subsection: tandem's process backend against the peers' process modes. */
export function renderProcessSection(f: ProcessRunFigures): string {
  const m = f.machine;
  const label = (l: Library) => libraryLabel(l, 'process');
  const versions = f.libraries.map((l) => `${l} ${m.versions[l]}`).join(', ');
  const lines = [
    PROCESS_TITLE,
    '',
    "tandem's `backend: 'process'` against tinypool's `child_process` runtime and workerpool's `workerType: 'process'`",
    '(piscina has no process mode): every worker is a forked Node process. All three use advanced serialization over',
    "IPC (tandem's only mode; the peers' default, JSON, cannot carry an ArrayBuffer), at fixed size, started fresh and",
    `warmed up as above, ${f.workers} workers each. Libraries: ${versions}. Command: \`${f.command}\` (this part alone: \`--backend=process\`).`,
    `Measured in the same run as the thread tables (${m.date}), load average ${f.loadAverage.toFixed(2)} when this part started.`,
    `Each figure is the median of ${f.repeats} measurements (${Math.min(f.repeats, 3)} for P2a, P2b and P4). Fewer tiny calls and items than`,
    'on threads: the process peers take tens of microseconds per call.',
    '',
    '#### Figures for information (issue 3 sets no numeric aim)',
    '',
    table(
      ['comparison', 'measured'],
      f.notes.map((n) => [n.description, n.measured]),
    ),
    '',
    '#### P1. Round trip of one tiny task, sequential calls (µs)',
    '',
    latencyTable(f, label),
    '',
    `#### P2a. ${count(f.throughput.calls)} tiny tasks as separate calls, submitted at once`,
    '',
    throughputTable(f, label),
    '',
    `#### P2b. tandem (process): ${count(f.streaming.items)} tiny items, one apply per item vs map and imap (default options unless stated)`,
    '',
    streamingTable(f.streaming),
    '',
    `#### P3. CPU-bound job: ${f.cpu.tasks} equal prime counts, speedup over one thread`,
    '',
    'As in table 3; the control is bare worker threads whatever the pool runs on: it measures the free cores.',
    '',
    cpuTable(f, label),
    '',
    `#### P4. ${f.transfer.bytes / 2 ** 20} MiB ArrayBuffer, copied (ms per call)`,
    '',
    'A child process shares no memory with its parent, so nothing can be moved: every library serializes the buffer',
    "into its IPC pipe and the other side deserializes a copy, each way (the parent's buffer stays usable). Compare",
    'with table 4, where threads move it in milliseconds. send: to a worker, which answers its length; round trip:',
    `there and back. Median of ${f.transferRepeats} measurements of ${f.transferRounds} calls each.`,
    '',
    transferTable(f, label, 1),
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes the parts given into the file in place of the previous ones: `thread` is the section
 * from its title up to the process subsection, `process` that subsection to the section's end.
 * A part not given keeps its text from the file; other sections are left alone.
 */
export function writeSection(path: string, parts: { readonly [part in Backend]?: string }): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : `${FILE_TITLE}\n`;
  const lines = old.split('\n');
  const start = lines.findIndex((line) => line.trim() === SECTION_TITLE);
  let end = start === -1 ? -1 : lines.findIndex((line, i) => i > start && /^##?\s/.test(line));
  if (start !== -1 && end === -1) end = lines.length;
  const current = start === -1 ? [] : lines.slice(start, end);
  const split = current.findIndex((line) => line.trim() === PROCESS_TITLE);
  const oldThread = (split === -1 ? current : current.slice(0, split)).join('\n').trim();
  const oldProcess = split === -1 ? '' : current.slice(split).join('\n').trim();
  const thread = (parts.thread ?? (oldThread === '' ? SECTION_TITLE : oldThread)).trim();
  const processPart = (parts.process ?? oldProcess).trim();
  const section = processPart === '' ? thread : `${thread}\n\n${processPart}`;
  let next: string;
  if (start === -1) {
    next = `${old.trimEnd()}\n\n${section}\n`;
  } else {
    const before = lines.slice(0, start).join('\n').trimEnd();
    const after = lines.slice(end).join('\n').trim();
    next = `${before}\n\n${section}\n${after === '' ? '' : `\n${after}\n`}`;
  }
  writeFileSync(path, next);
}

/** What both parts measure alike; `label` names a library in a row. */
type Compared = Pick<RunFigures, 'libraries' | 'latency' | 'throughput' | 'cpu' | 'transfer'>;
type Label = (library: Library) => string;

function latencyTable(f: Compared, label: Label): string {
  return table(
    ['library', 'p50', 'p99', 'tandem p50 ÷ peer p50 (< 1: tandem faster)'],
    f.libraries.map((l) => [
      label(l),
      fixed(f.latency.p50[l], 1),
      fixed(f.latency.p99[l], 1),
      ratio(f.latency.p50.tandem, f.latency.p50[l], l),
    ]),
  );
}

function throughputTable(f: Compared, label: Label): string {
  return table(
    ['library', 'ms', 'tasks/s', 'tandem ÷ peer, tasks/s (> 1: tandem faster)'],
    f.libraries.map((l) => [
      label(l),
      fixed(f.throughput.ms[l], 0),
      perSecond(f.throughput.calls, f.throughput.ms[l]),
      ratio(f.throughput.ms[l], f.throughput.ms.tandem, l),
    ]),
  );
}

function streamingTable(streaming: StreamingFigures): string {
  return table(
    ['call', 'ms', 'items/s', 'speed ÷ one apply per item'],
    STREAM_VARIANTS.map((v) => [
      STREAM_LABELS[v],
      fixed(streaming.ms[v], 0),
      perSecond(streaming.items, streaming.ms[v]),
      `${(streaming.ms.apply / streaming.ms[v]).toFixed(2)}x`,
    ]),
  );
}

function cpuTable(f: Compared, label: Label): string {
  return table(
    [
      'library',
      'pooled ms',
      'one thread ms',
      'speedup',
      'bare threads (free cores)',
      'speedup ÷ free cores',
      'tandem ÷ peer, speedup',
    ],
    f.libraries.map((l) => [
      label(l),
      fixed(f.cpu.pooledMs[l], 0),
      fixed(f.cpu.singleMs[l], 0),
      `${f.cpu.speedup[l].toFixed(2)}x`,
      `${f.cpu.freeCores[l].toFixed(2)}x`,
      f.cpu.efficiency[l].toFixed(2),
      ratio(f.cpu.speedup.tandem, f.cpu.speedup[l], l),
    ]),
  );
}

function transferTable(f: Compared, label: Label, digits: number): string {
  return table(
    ['library', 'send', 'round trip', 'tandem ÷ peer, send time (< 1: tandem faster)'],
    f.libraries.map((l) => [
      label(l),
      fixed(f.transfer.sendMs[l], digits),
      fixed(f.transfer.roundTripMs[l], digits),
      ratio(f.transfer.sendMs.tandem, f.transfer.sendMs[l], l),
    ]),
  );
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function ratio(numerator: number, denominator: number, library: Library): string {
  return library === 'tandem' ? '-' : `${(numerator / denominator).toFixed(2)}`;
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function perSecond(items: number, ms: number): string {
  return Math.round((items / ms) * 1000).toLocaleString('en-US');
}

function count(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : `${n}`;
}
