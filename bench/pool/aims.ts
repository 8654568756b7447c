/** The speed aims of issue 2, checked against a run's figures. Reported, never asserted. */
import type { CpuFigures } from './scenarios/cpu.ts';
import type { LatencyFigures } from './scenarios/latency.ts';
import type { StreamingFigures } from './scenarios/streaming.ts';
import type { ThroughputFigures } from './scenarios/throughput.ts';

export interface Aim {
  readonly description: string;
  readonly measured: string;
  readonly met: boolean;
}

export function checkAims(
  figures: {
    latency: LatencyFigures;
    throughput: ThroughputFigures;
    streaming: StreamingFigures;
    cpu: CpuFigures;
  },
  cores: number,
): Aim[] {
  const { latency, throughput, streaming, cpu } = figures;
  const throughputRatio = throughput.ms.piscina / throughput.ms.tandem;
  const mapGain = streaming.ms.apply / streaming.ms.map;
  const imapGain = streaming.ms.apply / streaming.ms.imap;
  const freeCores = cpu.freeCores.tandem;
  return [
    {
      description: 'tiny-task throughput (separate calls) >= 1.5x piscina',
      measured: `${throughputRatio.toFixed(2)}x`,
      met: throughputRatio >= 1.5,
    },
    {
      description: 'p50 round trip no worse than piscina',
      measured: `${latency.p50.tandem.toFixed(1)} µs vs ${latency.p50.piscina.toFixed(1)} µs`,
      met: latency.p50.tandem <= latency.p50.piscina,
    },
    {
      description: `map and imap over ${streaming.items.toLocaleString('en-US')} tiny items >= 5x faster than one apply per item`,
      measured: `map ${mapGain.toFixed(1)}x, imap ${imapGain.toFixed(1)}x`,
      met: mapGain >= 5 && imapGain >= 5,
    },
    {
      description: `CPU-bound speedup >= 0.9 x free cores (free cores measured by bare worker threads; ${cores} on an idle machine)`,
      measured: `${cpu.speedup.tandem.toFixed(2)}x with ${freeCores.toFixed(2)} free: ${cpu.efficiency.tandem.toFixed(2)} x free cores`,
      met: cpu.efficiency.tandem >= 0.9,
    },
  ];
}

/** A figure of the process backend reported next to the aims; issue 3 sets no numeric aim, so nothing is judged. */
export interface Note {
  readonly description: string;
  readonly measured: string;
}

/** The process backend's headline comparisons, for information. */
export function processNotes(figures: {
  latency: LatencyFigures;
  throughput: ThroughputFigures;
  streaming: StreamingFigures;
  cpu: CpuFigures;
}): Note[] {
  const { latency, throughput, streaming, cpu } = figures;
  const vs = (peer: 'tinypool' | 'workerpool') => (throughput.ms[peer] / throughput.ms.tandem).toFixed(2);
  return [
    {
      description: `tiny-task throughput (separate calls), tandem process ÷ tinypool child_process`,
      measured: `${vs('tinypool')}x`,
    },
    {
      description: `tiny-task throughput (separate calls), tandem process ÷ workerpool process`,
      measured: `${vs('workerpool')}x`,
    },
    {
      description: 'p50 round trip, tandem process vs tinypool child_process',
      measured: `${latency.p50.tandem.toFixed(1)} µs vs ${latency.p50.tinypool.toFixed(1)} µs`,
    },
    {
      description: `map and imap over ${streaming.items.toLocaleString('en-US')} tiny items ÷ one apply per item (process)`,
      measured: `map ${(streaming.ms.apply / streaming.ms.map).toFixed(1)}x, imap ${(streaming.ms.apply / streaming.ms.imap).toFixed(1)}x`,
    },
    {
      description: 'CPU-bound speedup ÷ free cores (process)',
      measured: `${cpu.speedup.tandem.toFixed(2)}x with ${cpu.freeCores.tandem.toFixed(2)} free: ${cpu.efficiency.tandem.toFixed(2)}`,
    },
  ];
}
