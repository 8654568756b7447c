/** boundedMap (src/storage/bounded-map.ts): requests overlapped, bounded, in order, failing whole. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedMap } from '../src/storage/bounded-map.js';

/** A step whose promises the test settles by hand, counting how many run at once. */
function gatedSteps() {
  const waiting: { item: number; settle: (error?: Error) => void }[] = [];
  let running = 0;
  let most = 0;
  const step = (item: number) =>
    new Promise<number>((resolve, reject) => {
      running++;
      most = Math.max(most, running);
      waiting.push({
        item,
        settle: (error) => {
          running--;
          if (error) reject(error);
          else resolve(item * 10);
        },
      });
    });
  return { step, waiting, most: () => most };
}

describe('boundedMap', () => {
  it('runs at most `limit` steps at once and gives the results in the order of the items', async () => {
    const gated = gatedSteps();
    const done = boundedMap([1, 2, 3, 4, 5, 6, 7], gated.step, 3);
    // Settle the newest first, so the order of settling differs from the order of the items.
    while (true) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = gated.waiting.pop();
      if (next === undefined) break;
      next.settle();
    }
    assert.deepEqual(await done, [10, 20, 30, 40, 50, 60, 70]);
    assert.equal(gated.most(), 3);
    assert.deepEqual(await boundedMap([], gated.step), []);
  });

  it('throws the first failure once the steps started have settled, and starts no more', async () => {
    const gated = gatedSteps();
    let settled = false;
    const done = boundedMap([1, 2, 3, 4, 5], gated.step, 2).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      gated.waiting.map((w) => w.item),
      [1, 2],
    );
    gated.waiting[0]?.settle(new Error('pack 1 refused'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'step 2 is still running');
    assert.equal(gated.waiting.length, 2, 'no step started after the failure');
    gated.waiting[1]?.settle();
    await assert.rejects(done, /pack 1 refused/);
  });
});
