/** Bare worker threads splitting a job evenly: the CPU scenario's measure of the free cores. */
import { Worker } from 'node:worker_threads';

const RAW_WORKER = new URL('../workers/raw-worker.mjs', import.meta.url);

export class RawThreads {
  private readonly threads: Worker[];

  constructor(count: number) {
    // No execArgv: the control needs no TypeScript loader.
    this.threads = Array.from({ length: count }, () => new Worker(RAW_WORKER, { execArgv: [] }));
  }

  /** Runs `tasks` prime counts, `tasks / threads` on each thread one after another. */
  async run(tasks: number, limit: number): Promise<void> {
    await Promise.all(
      this.threads.map(async (thread, index) => {
        for (let i = index; i < tasks; i += this.threads.length) await this.ask(thread, limit);
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.terminate()));
  }

  private ask(thread: Worker, limit: number): Promise<number> {
    return new Promise((resolve, reject) => {
      thread.once('error', reject);
      thread.once('message', (count: number) => {
        thread.off('error', reject);
        resolve(count);
      });
      thread.postMessage(limit);
    });
  }
}
