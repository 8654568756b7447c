/**
 * The Pool benchmark of issue 2: tandem against piscina, tinypool and workerpool, in one
 * run, same machine, same worker count. Prints progress and writes its section of
 * docs/benchmarks.md.
 *
 *   node --import tsx bench/pool/run.ts            full run (a few minutes), writes the docs
 *   node --import tsx bench/pool/run.ts --quick    small sizes, one repeat, prints only
 *   node --import tsx bench/pool/run.ts --only=streaming   one scenario (repeatable flag), prints only
 *   node --import tsx bench/pool/run.ts --only=throughput --library=tandem   one library (repeatable), e.g. to profile
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LIBRARIES, type Library } from './adapters/adapter.ts';
import { checkAims } from './aims.ts';
import { describeMachine } from './machine.ts';
import { renderSection, writeSection } from './report.ts';
import type { BenchSizes, ScenarioContext } from './scenarios/context.ts';
import { measureCpu } from './scenarios/cpu.ts';
import { measureLatency } from './scenarios/latency.ts';
import { measureStreaming } from './scenarios/streaming.ts';
import { measureThroughput } from './scenarios/throughput.ts';
import { measureTransfer } from './scenarios/transfer.ts';

const FULL: BenchSizes = {
  latencyCalls: 2000,
  tinyCalls: 200_000,
  streamItems: 1_000_000,
  cpuTasks: 0, // set from the worker count below: 4 tasks per worker
  primesLimit: 1_000_000,
  bufferBytes: 64 * 2 ** 20,
  bufferRounds: 8,
};

const QUICK: BenchSizes = {
  latencyCalls: 500,
  tinyCalls: 20_000,
  streamItems: 100_000,
  cpuTasks: 0,
  primesLimit: 100_000,
  bufferBytes: 64 * 2 ** 20,
  bufferRounds: 3,
};

const SCENARIOS = ['latency', 'throughput', 'streaming', 'cpu', 'transfer'] as const;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
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
const base = quick ? QUICK : FULL;
const ctx: ScenarioContext = {
  workers,
  repeats,
  sizes: { ...base, cpuTasks: 4 * workers },
  libraries: (values.library as Library[] | undefined) ?? LIBRARIES,
  log: (line) => console.log(line),
};

const machine = describeMachine();
console.log(
  `bench/pool: ${workers} workers, ${repeats} repeat(s), ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, load ${machine.loadAverage.toFixed(2)}`,
);
const started = performance.now();
const latency = only.has('latency') ? await measureLatency(ctx) : undefined;
// The separate-call scenarios are the slow ones (tinypool and workerpool take ~15 s per 200k calls here).
const fewer = { ...ctx, repeats: Math.min(ctx.repeats, 3) };
const throughput = only.has('throughput') ? await measureThroughput(fewer) : undefined;
const streaming = only.has('streaming') ? await measureStreaming(fewer) : undefined;
const cpu = only.has('cpu') ? await measureCpu(ctx) : undefined;
const transfer = only.has('transfer') ? await measureTransfer(ctx) : undefined;
console.log(
  `done in ${((performance.now() - started) / 1000).toFixed(0)} s, load average now ${loadavg()[0]?.toFixed(2)}`,
);

if (latency && throughput && streaming && cpu && transfer && ctx.libraries === LIBRARIES) {
  const aims = checkAims({ latency, throughput, streaming, cpu }, Math.min(workers, machine.cores));
  for (const aim of aims) console.log(`${aim.met ? 'met    ' : 'NOT met'}  ${aim.description}: ${aim.measured}`);
  const section = renderSection({
    machine,
    command: 'npm run bench:pool',
    workers,
    repeats,
    libraries: LIBRARIES,
    latency,
    throughput,
    streaming,
    cpu,
    transfer,
    aims,
  });
  if (quick) {
    console.log(`\n${section}`);
  } else {
    const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    writeSection(path, section);
    console.log(`wrote ${path}`);
  }
}
