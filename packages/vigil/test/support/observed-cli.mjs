/**
 * Test only: `vigil` with hooks (src/commands/hooks.ts): its workers read through
 * observedReader (observed-tasks.mjs), and with VIGIL_TEST_STOP_AT=POINT a backup announces
 * "vigil-test-point POINT" on stderr at that checkpoint and stops there for good, so a test
 * can kill -9 it at a known moment instead of racing a timer. With VIGIL_TEST_STOP_AT=lock-taken,
 * a command announces "vigil-test-point lock-taken" once it holds its repository lock and
 * goes on when its stdin ends, so a test can run another command beside it at that moment.
 */
import { runProgram } from '../../dist/program.js';
import tasks from './observed-tasks.mjs';

async function checkpoint(point) {
  if (process.env.VIGIL_TEST_STOP_AT !== point) return;
  process.stderr.write(`vigil-test-point ${point}\n`);
  setInterval(() => {}, 1 << 30);
  await new Promise(() => {});
}

async function lockTaken() {
  if (process.env.VIGIL_TEST_STOP_AT !== 'lock-taken') return;
  process.stderr.write('vigil-test-point lock-taken\n');
  await new Promise((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.resume();
  });
}

await runProgram(process.argv, {
  hashBatch: tasks.hashBatch,
  inspectBatch: tasks.inspectBatch,
  storeEntries: tasks.storeEntries,
  checkpoint,
  lockTaken,
});
