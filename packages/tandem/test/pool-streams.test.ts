import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Pool, TaskError } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/tasks.ts';

/** An endless source that counts what was pulled and whether it was closed. */
function countingSource() {
  const state = { pulled: 0, closed: false };
  function* generate() {
    try {
      for (let i = 0; ; i++) {
        state.pulled++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: generate() };
}

for (const backend of ALL_BACKENDS) {
  describe(`imap and imapUnordered (${backend})`, () => {
    const pool = new Pool({ workers: 2, backend });
    after(() => pool.terminate());

    for (const method of ['imap', 'imapUnordered'] as const) {
      it(`${method} pulls an endless source lazily, keeps at most maxInFlight items, and stops on break`, async () => {
        const { state, source } = countingSource();
        const maxInFlight = 64;
        let consumed = 0;
        let mostAhead = 0;
        for await (const value of pool[method](tasks.square, source, { maxInFlight })) {
          assert.equal(typeof value, 'number');
          consumed++;
          mostAhead = Math.max(mostAhead, state.pulled - consumed);
          if (consumed === 2000) break;
        }
        assert.ok(mostAhead <= maxInFlight, `pulled ${mostAhead} items ahead of the loop`);
        assert.equal(state.closed, true, 'breaking out closes the source');
        const pulledAtBreak = state.pulled;
        await pool.apply(tasks.square, [1]);
        assert.equal(state.pulled, pulledAtBreak, 'nothing is pulled after the loop ends');
      });
    }

    it('imap yields every item exactly once, in order, whatever the chunk size', async () => {
      for (const chunkSize of [1, 3, 'auto'] as const) {
        const seen: number[] = [];
        for await (const v of pool.imap((x: number) => x * 2, range(1000), { chunkSize })) seen.push(v);
        assert.deepEqual(
          seen,
          [...range(1000)].map((x) => x * 2),
        );
      }
    });

    it('imapUnordered yields every item exactly once', async () => {
      const seen: number[] = [];
      for await (const v of pool.imapUnordered(tasks.square, range(500), { chunkSize: 4 })) seen.push(v);
      assert.deepEqual(
        seen.sort((a, b) => a - b),
        [...range(500)].map((x) => x * x),
      );
    });

    it('pulls from an async source, and sends a partial chunk when the source is slow', async () => {
      async function* slowly() {
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield i;
        }
      }
      const seen: number[] = [];
      for await (const v of pool.imap(tasks.square, slowly(), { chunkSize: 100 })) seen.push(v);
      assert.deepEqual(seen, [0, 1, 4, 9, 16, 25]);
    });

    it('imap yields the results before a failing item, then throws TaskError', async () => {
      const seen: number[] = [];
      const iterate = async () => {
        for await (const v of pool.imap(
          (x: number) => {
            if (x === 5) throw new Error('five');
            return x;
          },
          range(100),
          { chunkSize: 2 },
        )) {
          seen.push(v);
        }
      };
      await assert.rejects(iterate(), (e: unknown) => e instanceof TaskError && e.index === 5);
      assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    });

    it('an error thrown by the source rejects the iteration', async () => {
      function* broken() {
        yield 1;
        throw new Error('source broke');
      }
      const iterate = async () => {
        for await (const _ of pool.imapUnordered(tasks.square, broken())) {
        }
      };
      await assert.rejects(iterate(), /source broke/);
    });

    for (const chunkSize of [1, 2, 4]) {
      for (const kind of ['sync', 'async'] as const) {
        it(`${kind === 'sync' ? 'a sync' : 'an async'} source that throws at item 5 gives every earlier result, then its error (chunkSize ${chunkSize})`, async () => {
          function* items() {
            for (let i = 0; i < 5; i++) yield i;
            throw new RangeError('source broke at 5');
          }
          async function* asyncItems() {
            yield* items();
          }
          const source = () => (kind === 'sync' ? items() : asyncItems());
          const ordered: number[] = [];
          const orderedError = await (async () => {
            for await (const y of pool.imap(tasks.square, source(), { chunkSize })) ordered.push(y);
          })().catch((e: unknown) => e);
          assert.deepEqual(ordered, [0, 1, 4, 9, 16], 'imap: every earlier result, in input order');
          assert.ok(orderedError instanceof RangeError && /source broke at 5/.test(orderedError.message));

          const unordered: number[] = [];
          const unorderedError = await (async () => {
            for await (const y of pool.imapUnordered(tasks.square, source(), { chunkSize })) unordered.push(y);
          })().catch((e: unknown) => e);
          assert.deepEqual(
            unordered.sort((a, b) => a - b),
            [0, 1, 4, 9, 16],
          );
          assert.ok(unorderedError instanceof RangeError);
        });
      }
    }

    it('rejects a bad chunkSize or maxInFlight with a clear error', async () => {
      await assert.rejects(pool.map(tasks.square, [1], { chunkSize: 0 }), /chunkSize must be a whole number >= 1/);
      await assert.rejects(pool.imap(tasks.square, [1], { maxInFlight: -1 }).next(), /maxInFlight must be/);
      await assert.rejects(pool.imap(tasks.square, 42 as never).next(), /Iterable or AsyncIterable/);
    });
  });
}

function* range(n: number) {
  for (let i = 0; i < n; i++) yield i;
}
