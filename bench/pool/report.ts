/**
 * Turns a run's figures into the "tandem Pool (bench/pool)" section of docs/benchmarks.md,
 * and writes it in place of that section alone, so other sections of the file survive.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Library } from './adapters/adapter.ts';
import type { Aim } from './aims.ts';
import type { MachineInfo } from './machine.ts';
import type { CpuFigures } from './scenarios/cpu.ts';
import type { LatencyFigures } from './scenarios/latency.ts';
import { STREAM_LABELS, STREAM_VARIANTS, type StreamingFigures } from './scenarios/streaming.ts';
import type { ThroughputFigures } from './scenarios/throughput.ts';
import type { TransferFigures } from './scenarios/transfer.ts';

export const SECTION_TITLE = '## tandem Pool (bench/pool)';
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
    table(
      ['library', 'p50', 'p99', 'tandem p50 ÷ peer p50 (< 1: tandem faster)'],
      f.libraries.map((l) => [
        l,
        fixed(f.latency.p50[l], 1),
        fixed(f.latency.p99[l], 1),
        ratio(f.latency.p50.tandem, f.latency.p50[l], l),
      ]),
    ),
    '',
    `### 2a. ${count(f.throughput.calls)} tiny tasks as separate calls, submitted at once`,
    '',
    table(
      ['library', 'ms', 'tasks/s', 'tandem ÷ peer, tasks/s (> 1: tandem faster)'],
      f.libraries.map((l) => [
        l,
        fixed(f.throughput.ms[l], 0),
        perSecond(f.throughput.calls, f.throughput.ms[l]),
        ratio(f.throughput.ms[l], f.throughput.ms.tandem, l),
      ]),
    ),
    '',
    `### 2b. tandem: ${count(f.streaming.items)} tiny items, one apply per item vs map and imap (default options unless stated)`,
    '',
    table(
      ['call', 'ms', 'items/s', 'speed ÷ one apply per item'],
      STREAM_VARIANTS.map((v) => [
        STREAM_LABELS[v],
        fixed(f.streaming.ms[v], 0),
        perSecond(f.streaming.items, f.streaming.ms[v]),
        `${(f.streaming.ms.apply / f.streaming.ms[v]).toFixed(2)}x`,
      ]),
    ),
    '',
    `### 3. CPU-bound job: ${f.cpu.tasks} equal prime counts, speedup over one thread`,
    '',
    'Each pooled run follows the same job on the main thread alone and on bare worker threads (no pool);',
    "the bare threads' speedup is the free cores at that moment (other work shares this machine). Each column is its own median.",
    '',
    table(
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
        l,
        fixed(f.cpu.pooledMs[l], 0),
        fixed(f.cpu.singleMs[l], 0),
        `${f.cpu.speedup[l].toFixed(2)}x`,
        `${f.cpu.freeCores[l].toFixed(2)}x`,
        f.cpu.efficiency[l].toFixed(2),
        ratio(f.cpu.speedup.tandem, f.cpu.speedup[l], l),
      ]),
    ),
    '',
    `### 4. ${f.transfer.bytes / 2 ** 20} MiB ArrayBuffer by transfer (ms per call)`,
    '',
    'send: moved to a worker, which answers its length. round trip: moved there and back; tandem has no',
    'transfer list for results, so its way home is a structured-clone copy.',
    '',
    table(
      ['library', 'send', 'round trip', 'tandem ÷ peer, send time (< 1: tandem faster)'],
      f.libraries.map((l) => [
        l,
        fixed(f.transfer.sendMs[l], 2),
        fixed(f.transfer.roundTripMs[l], 2),
        ratio(f.transfer.sendMs.tandem, f.transfer.sendMs[l], l),
      ]),
    ),
    '',
  ];
  return lines.join('\n');
}

/** Writes `section` into the file in place of the previous one (or appends it), leaving other sections alone. */
export function writeSection(path: string, section: string): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : `${FILE_TITLE}\n`;
  const lines = old.split('\n');
  const start = lines.findIndex((line) => line.trim() === SECTION_TITLE);
  let next: string;
  if (start === -1) {
    next = `${old.trimEnd()}\n\n${section.trimEnd()}\n`;
  } else {
    let end = lines.findIndex((line, i) => i > start && /^##?\s/.test(line));
    if (end === -1) end = lines.length;
    const before = lines.slice(0, start).join('\n').trimEnd();
    const after = lines.slice(end).join('\n').trim();
    next = `${before}\n\n${section.trimEnd()}\n${after === '' ? '' : `\n${after}\n`}`;
  }
  writeFileSync(path, next);
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
