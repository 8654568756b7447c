/** WalkAhead (src/fs/walk-ahead.ts): a walk pulled before its consumer comes, bounded, in order, ended either way. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WalkEntry } from '../src/fs/walk.js';
import { WalkAhead } from '../src/fs/walk-ahead.js';

/** A stand-in walk: `count` blocks of `size` entries, counting the blocks pulled, failing at `failAt`, noting its end. */
function stubWalk(count: number, size: number, failAt?: number) {
  const seen = { pulled: 0, closed: false };
  async function* blocks(): AsyncGenerator<WalkEntry[]> {
    try {
      for (let i = 0; i < count; i++) {
        if (i === failAt) throw new Error(`the walk failed at block ${i}`);
        seen.pulled++;
        yield Array.from({ length: size }, (_, k) => ({
          kind: 'skipped' as const,
          path: Buffer.from(`/b${i}/e${k}`),
          reason: 'fifo' as const,
        }));
      }
    } finally {
      seen.closed = true;
    }
  }
  return { blocks: blocks(), seen };
}

async function paths(walked: WalkAhead): Promise<string[]> {
  const out: string[] = [];
  for await (const block of walked.blocks()) for (const entry of block) out.push(entry.path.toString());
  return out;
}

describe('WalkAhead', () => {
  it('walks before it is taken, up to its bound, and then gives every block in order', async () => {
    const { blocks, seen } = stubWalk(10, 3);
    const walked = new WalkAhead(blocks, 7);
    await walked.filled;
    assert.equal(seen.pulled, 3, 'three blocks reach the bound of 7 entries');
    assert.equal(walked.entriesAhead, 9);
    const all = await paths(walked);
    assert.equal(all.length, 30);
    assert.deepEqual(all.slice(0, 4), ['/b0/e0', '/b0/e1', '/b0/e2', '/b1/e0']);
    assert.equal(all.at(-1), '/b9/e2');
    assert.equal(seen.pulled, 10);
  });

  it('holds a whole walk shorter than its bound', async () => {
    const { blocks, seen } = stubWalk(4, 2);
    const walked = new WalkAhead(blocks, 100);
    await walked.filled;
    assert.equal(seen.pulled, 4);
    assert.ok(seen.closed, 'the walk ran to its end');
    assert.equal((await paths(walked)).length, 8);
  });

  it("throws the walk's failure after the blocks before it, walked ahead or not", async () => {
    for (const bound of [100, 2]) {
      const walked = new WalkAhead(stubWalk(5, 1, 3).blocks, bound);
      const got: string[] = [];
      await assert.rejects(
        async () => {
          for await (const block of walked.blocks()) got.push(block[0]?.path.toString() ?? '');
        },
        { message: 'the walk failed at block 3' },
      );
      assert.deepEqual(got, ['/b0/e0', '/b1/e0', '/b2/e0'], `bound ${bound}`);
    }
  });

  it('ends the walk when the consumer stops early, or when stopped untaken', async () => {
    const early = stubWalk(10, 1);
    const taken = new WalkAhead(early.blocks, 3);
    for await (const _ of taken.blocks()) break;
    assert.ok(early.seen.closed);
    assert.ok(early.seen.pulled < 10);

    const untaken = stubWalk(10, 1);
    const stopped = new WalkAhead(untaken.blocks, 3);
    await stopped.stop();
    assert.ok(untaken.seen.closed);
    assert.equal(stopped.entriesAhead, 0);
    await assert.rejects(async () => {
      for await (const _ of stopped.blocks()) break;
    }, /already taken or stopped/);
  });
});
