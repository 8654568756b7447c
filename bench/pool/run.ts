/**
 * The Pool benchmark of issues 2 and 3: tandem against piscina, tinypool and workerpool, in
 * one run, same machine, same worker count; first on worker threads, then on child processes
 * (tandem's process backend against tinypool's child_process runtime and workerpool's process
 * workers). Prints progress and writes its section of docs/benchmarks.md.
 *
 *   node --import tsx bench/pool/run.ts            full run (about 6 minutes), writes the docs
 *   node --import tsx bench/pool/run.ts --quick    small sizes, one repeat, prints only
 *   node --import tsx bench/pool/run.ts --backend=process   one backend (thread|process|all, default all);
 *                                                   a full run of one backend rewrites only its part of the docs
 *   node --import tsx bench/pool/run.ts --only=streaming   one scenario (repeatable flag), prints only
 *   node --import tsx bench/pool/run.ts --only=throughput --library=tandem   one library (repeatable), e.g. to profile
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKEND_LIBRARIES, BACKENDS, type Backend, type Library } from './adapters/adapter.ts';
import { checkAims, processNotes } from './aims.ts';
import { describeMachine } from './machine.ts';
import { renderProcessSection, renderSection, writeSection } from './report.ts';
import type { BenchSizes, ScenarioContext } from './scenarios/context.ts';
import { measureCpu } from './scenarios/cpu.ts';
import { measureLatency } from './scenarios/latency.ts';
import { measureStreaming } from './scenarios/streaming.ts';
import { measureThroughput } from './scenarios/throughput.ts';
import { measureTransfer } from './scenarios/transfer.ts';

const FULL: Record<Backend, BenchSizes> = {
  thread: {
    latencyCalls: 2000,
    tinyCalls: 200_000,
    streamItems: 1_000_000,
    cpuTasks: 0, // set from the worker count below: 4 tasks per worker
    primesLimit: 1_000_000,
    bufferBytes: 64 * 2 ** 20,
    bufferRounds: 8,
  },
  // The process peers run some 20k tiny calls a second here, and a 64 MiB copy takes a few hundred ms.
  process: {
    latencyCalls: 2000,
    tinyCalls: 50_000,
    streamItems: 200_000,
    cpuTasks: 0,
    primesLimit: 1_000_000,
    bufferBytes: 64 * 2 ** 20,
    bufferRounds: 4,
  },
};

const QUICK: Record<Backend, BenchSizes> = {
  thread: {
    latencyCalls: 500,
    tinyCalls: 20_000,
    streamItems: 100_000,
    cpuTasks: 0,
    primesLimit: 100_000,
    bufferBytes: 64 * 2 ** 20,
    bufferRounds: 3,
  },
  process: {
    latencyCalls: 500,
    tinyCalls: 10_000,
    streamItems: 50_000,
    cpuTasks: 0,
    primesLimit: 100_000,
    bufferBytes: 64 * 2 ** 20,
    bufferRounds: 2,
  },
};

const SCENARIOS = ['latency', 'throughput', 'streaming', 'cpu', 'transfer'] as const;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'all' },
    only: { type: 'string', multiple: true },
    library: { type: 'string', multiple: true },
    repeats: { type: 'string' },
    workers: { type: 'string' },
  },
});

const quick = values.quick ?? false;
const workers = Number(values.workers ?? availableParallelism());
const repeats = Number(values.repeats ?? (quick ? 1 : 5));
const only = new Set(values.only ?? SCENARIOS);
const backendFlag = values.backend ?? 'all';
if (backendFlag !== 'all' && !BACKENDS.includes(backendFlag as Backend)) {
  throw new Error(`--backend must be thread, process or all, got ${backendFlag}`);
}
const backends = backendFlag === 'all' ? BACKENDS : [backendFlag as Backend];
const chosenLibraries = values.library as Library[] | undefined;

const machine = describeMachine();
console.log(
  `bench/pool: ${workers} workers, ${repeats} repeat(s), backend ${backendFlag}, ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, load ${machine.loadAverage.toFixed(2)}`,
);
const started = performance.now();
const complete = (b: Backend, libraries: readonly Library[]) =>
  SCENARIOS.every((s) => only.has(s)) && libraries.length === BACKEND_LIBRARIES[b].length;
const parts: { thread?: string; process?: string } = {};

for (const backend of backends) {
  const libraries = BACKEND_LIBRARIES[backend].filter((l) => !chosenLibraries || chosenLibraries.includes(l));
  if (libraries.length === 0) continue;
  const base = quick ? QUICK[backend] : FULL[backend];
  const ctx: ScenarioContext = {
    backend,
    workers,
    repeats,
    sizes: { ...base, cpuTasks: 4 * workers },
    libraries,
    log: (line) => console.log(line),
  };
  const loadAverage = loadavg()[0] ?? 0;
  console.log(`-- ${backend === 'thread' ? 'worker threads' : 'child processes'} (load ${loadAverage.toFixed(2)})`);
  const latency = only.has('latency') ? await measureLatency(ctx) : undefined;
  // The separate-call scenarios are the slow ones (tinypool and workerpool take ~15 s per 200k calls on threads here).
  const fewer = { ...ctx, repeats: Math.min(ctx.repeats, 3) };
  const throughput = only.has('throughput') ? await measureThroughput(fewer) : undefined;
  const streaming = only.has('streaming') ? await measureStreaming(fewer) : undefined;
  const cpu = only.has('cpu') ? await measureCpu(ctx) : undefined;
  // Copies through a pipe take a few hundred ms each: fewer repeats on processes.
  const transferCtx = backend === 'process' ? fewer : ctx;
  const transfer = only.has('transfer') ? await measureTransfer(transferCtx) : undefined;
  if (!(latency && throughput && streaming && cpu && transfer && complete(backend, libraries))) continue;

  const common = {
    machine,
    command: 'npm run bench:pool',
    workers,
    repeats,
    libraries,
    latency,
    throughput,
    streaming,
  };
  if (backend === 'thread') {
    const aims = checkAims({ latency, throughput, streaming, cpu }, Math.min(workers, machine.cores));
    for (const aim of aims) console.log(`${aim.met ? 'met    ' : 'NOT met'}  ${aim.description}: ${aim.measured}`);
    parts.thread = renderSection({ ...common, cpu, transfer, aims });
  } else {
    const notes = processNotes({ latency, throughput, streaming, cpu });
    for (const note of notes) console.log(`info     ${note.description}: ${note.measured}`);
    parts.process = renderProcessSection({
      ...common,
      cpu,
      transfer,
      notes,
      loadAverage,
      transferRepeats: transferCtx.repeats,
      transferRounds: transferCtx.sizes.bufferRounds,
    });
  }
}
console.log(
  `done in ${((performance.now() - started) / 1000).toFixed(0)} s, load average now ${loadavg()[0]?.toFixed(2)}`,
);

if (parts.thread || parts.process) {
  if (quick) {
    console.log(`\n${[parts.thread, parts.process].filter(Boolean).join('\n')}`);
  } else {
    const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    writeSection(path, parts);
    console.log(`wrote ${path}${backends.length === 1 ? ` (the ${backends[0]} part only)` : ''}`);
  }
}
