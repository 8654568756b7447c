/**
 * Test only: `vigil` with hooks (src/commands/hooks.ts): its workers read through
 * observedReader (observed-tasks.mjs), and with VIGIL_TEST_STOP_AT=POINT a backup announces
 * "vigil-test-point POINT" on stderr at that checkpoint and stops there for good, so a test
 * can kill -9 it at a known moment instead of racing a timer.
 */
import { runProgram } from '../../dist/program.js';
import tasks from './observed-tasks.mjs';

async function checkpoint(point) {
  if (process.env.VIGIL_TEST_STOP_AT !== point) return;
  process.stderr.write(`vigil-test-point ${point}\n`);
  setInterval(() => {}, 1 << 30);
  await new Promise(() => {});
}

await runProgram(process.argv, {
  hashBatch: tasks.hashBatch,
  inspectBatch: tasks.inspectBatch,
  storeEntries: tasks.storeEntries,
  checkpoint,
});
