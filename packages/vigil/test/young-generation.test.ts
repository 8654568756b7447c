/**
 * holdYoungGenerations (src/pool/young-generation.ts): a backup relies on V8 reading the growth
 * factor as its young generation grows. Run in child processes, so that the flag and the heap
 * are theirs alone.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../dist/pool/young-generation.js', import.meta.url));

/** The main thread's young generation (MB) before and after much of what it allocates survives. */
function growth(steps: { hold: boolean; workerThenHold?: boolean }): { before: number; after: number } {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    import { holdYoungGenerations } from ${JSON.stringify(MODULE)};
    const youngMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    let kept = [];
    const allocate = (n) => { for (let i = 0; i < n; i++) { kept.push({ i, text: 'entry ' + i }); if (kept.length > 200000) kept = []; } };
    allocate(50000);
    const before = youngMb();
    if (${steps.hold}) holdYoungGenerations();
    if (${steps.workerThenHold === true}) {
      const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
      await new Promise((resolve) => worker.once('online', resolve));
      holdYoungGenerations();
      await worker.terminate();
    }
    allocate(3000000);
    process.stdout.write(JSON.stringify({ before, after: youngMb() }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

describe('holdYoungGenerations', () => {
  it('is needed: without it, the young generation grows when what is allocated survives', () => {
    const { before, after } = growth({ hold: false });
    assert.ok(after > before, `grew from ${before} MB to ${after} MB`);
  });

  it('keeps the young generation at its size', () => {
    const { before, after } = growth({ hold: true });
    assert.equal(after, before);
  });

  it('holds again when called after a worker thread started', () => {
    const { before, after } = growth({ hold: true, workerThenHold: true });
    assert.equal(after, before);
  });
});
