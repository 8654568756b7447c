import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvalidStateError, Pool, RawArray, RawValue, SharedArray, Value } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/shared-tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`Value, RawValue, SharedArray, RawArray (${backend})`, () => {
    const pool = new Pool({ workers: 3, backend });
    after(() => pool.terminate());

    for (const ArrayClass of [SharedArray, RawArray]) {
      it(`workers write a ${ArrayClass.name} and add to a Value under its lock`, async () => {
        const array = new ArrayClass('float64', 20);
        const total = new Value('int32', 0);
        const lengths = await pool.starmap(
          tasks.writeSlot,
          Array.from({ length: 20 }, (_, i) => [array, total, i] as const),
        );
        assert.deepEqual(lengths, Array(20).fill(20));
        assert.deepEqual(
          Array.from(array.array),
          Array.from({ length: 20 }, (_, i) => i * i),
        );
        assert.equal(total.value, 190);
        assert.deepEqual(await pool.apply(tasks.readArray, [array as SharedArray<'float64'>]), Array.from(array.array));
      });
    }

    it('every element type reads back what was written; bigint types take bigints', async () => {
      for (const type of ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const) {
        const v = new RawValue(type, 5);
        assert.equal(v.value, 5);
        v.value = 7;
        assert.equal(await v.get(), 7);
      }
      const big = new Value('bigint64', -5n);
      await big.set(2n ** 40n);
      assert.equal(big.value, 2n ** 40n);
      const arr = new SharedArray('biguint64', [1n, 2n, 3n]);
      assert.deepEqual(Array.from(await arr.slice(1)), [2n, 3n]);
      assert.throws(() => new RawValue('int128' as 'int32'), /unknown element type "int128"/);
    });

    it('getLock(): a RLock by default, the given lock, or none with { lock: false }', async () => {
      const v = new Value('int32', 0);
      assert.equal(v.getLock().constructor.name, 'RLock');
      const plain = new Value('int32', 0, { lock: false });
      assert.throws(() => plain.getLock(), InvalidStateError);
      const shared = new SharedArray('int32', 3);
      await assert.rejects(shared.get(3), RangeError);
    });
  });
}

describe('Value and SharedArray in worker threads (synchronous members)', () => {
  const pool = new Pool({ workers: 3, backend: 'thread' });
  after(() => pool.terminate());

  it('.array and .value are read and written in place by worker threads', async () => {
    const array = new SharedArray('int32', 10);
    const total = new Value('int32', 0);
    await pool.starmap(
      tasks.writeSlotSync,
      Array.from({ length: 10 }, (_, i) => [array, total, i] as const),
    );
    assert.deepEqual(
      Array.from(array.array),
      Array.from({ length: 10 }, (_, i) => i * 10),
    );
    assert.equal(total.value, 45);
  });
});
