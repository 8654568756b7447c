/**
 * Counts the instructions, CPU time and context switches of a group of processes, only while
 * enabled, with `perf stat` attached to their pids. Instruction counts hardly move with the
 * machine's load, where wall and even CPU time move 10-25% here: they are what decides a
 * difference of a few %.
 *
 * perf starts with its counters off (`-D -1`) and is switched on and off through a control
 * descriptor (`--control fd:3,4`, perf >= 5.10); each switch waits for perf's "ack", so a
 * run is measured from its first instruction to its last and nothing between runs counts.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface PerfTotals {
  readonly instructions: number;
  readonly cpuMs: number;
  /** Times the processes gave up or lost the CPU: each costs the kernel's work and cold caches. */
  readonly contextSwitches: number;
}

/** Why perf cannot count here, or undefined if it can. */
export function perfMissing(): string | undefined {
  const probe = spawnSync('perf', ['stat', '-x,', '-e', 'instructions', 'true'], { encoding: 'utf8' });
  if (probe.error) return 'perf is not installed (apt-get install linux-perf)';
  if (probe.status !== 0 || /not supported|<not counted>/.test(probe.stderr)) {
    return `perf cannot count instructions on this machine: ${probe.stderr.trim().split('\n').pop()}`;
  }
  return undefined;
}

export class PerfCounter {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tandem-perf-'));
  private readonly out = join(this.dir, 'stat.csv');
  private readonly perf: ChildProcess;
  private readonly control: Writable;
  private readonly acks: Readable;
  private readonly exited: Promise<unknown>;
  private stderr = '';

  private constructor(pids: readonly number[]) {
    this.perf = spawn(
      'perf',
      // perf writes its totals at exit; -o keeps them apart from its "Events enabled" lines.
      [
        'stat',
        '-D',
        '-1',
        '-x,',
        '-e',
        'instructions,task-clock,context-switches',
        '-o',
        this.out,
        '-p',
        pids.join(','),
        '--control',
        'fd:3,4',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    this.perf.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = once(this.perf, 'exit');
    this.control = this.perf.stdio[3] as Writable;
    this.acks = this.perf.stdio[4] as Readable;
  }

  /** A counter attached to `pids`, counting nothing until enabled. */
  static async attach(pids: readonly number[]): Promise<PerfCounter> {
    const counter = new PerfCounter(pids);
    await counter.command('disable'); // answers once perf is attached and listening
    return counter;
  }

  enable(): Promise<void> {
    return this.command('enable');
  }

  disable(): Promise<void> {
    return this.command('disable');
  }

  /** Stops perf and reads what it counted while enabled. */
  async totals(): Promise<PerfTotals> {
    this.perf.kill('SIGINT');
    await this.exited;
    const csv = readFileSync(this.out, 'utf8');
    rmSync(this.dir, { recursive: true, force: true });
    const field = (event: string) => {
      const line = csv.split('\n').find((l) => l.split(',')[2] === event);
      const count = Number(line?.split(',')[0]);
      if (Number.isNaN(count)) throw new Error(`perf printed no ${event} count:\n${csv}`);
      return count;
    };
    return {
      instructions: field('instructions'),
      cpuMs: field('task-clock'),
      contextSwitches: field('context-switches'),
    };
  }

  private async command(what: 'enable' | 'disable'): Promise<void> {
    const ack = once(this.acks, 'data');
    this.control.write(`${what}\n`);
    let onExit: (() => void) | undefined;
    const gone = new Promise<never>((_, reject) => {
      onExit = () => reject(new Error(`perf exited before it acknowledged "${what}": ${this.stderr.trim()}`));
      this.perf.once('exit', onExit);
    });
    try {
      await Promise.race([ack, gone]);
    } finally {
      if (onExit) this.perf.off('exit', onExit);
    }
  }
}
