/**
 * A test seam for crash safety: with VIGIL_TEST_STOP_AT=<point>, the run announces the
 * point on stderr ("vigil-test-point <point>") and stops there for good, so a test can
 * kill -9 it at a known moment instead of racing a timer.
 */
export type TestPoint = 'after-first-batch' | 'objects-stored' | 'before-commit' | 'after-commit' | 'during-prune';

export async function testPoint(point: TestPoint): Promise<void> {
  if (process.env.VIGIL_TEST_STOP_AT !== point) return;
  process.stderr.write(`vigil-test-point ${point}\n`);
  setInterval(() => {}, 1 << 30);
  await new Promise<never>(() => {});
}

/** Whether this run is to stop at `point` (for points that need setting up to be deterministic). */
export function stopsAt(point: TestPoint): boolean {
  return process.env.VIGIL_TEST_STOP_AT === point;
}
