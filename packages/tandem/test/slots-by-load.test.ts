import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SlotsByLoad } from '../dist/pool/slots-by-load.js';
import type { WorkerSlot } from '../dist/pool/worker-slot.js';

/** Just what the index reads of a slot: the jobs it holds. */
function slot(name: string, jobs: number): WorkerSlot & { name: string } {
  const held = new Map<number, unknown>();
  for (let i = 0; i < jobs; i++) held.set(i, undefined);
  return { name, held } as unknown as WorkerSlot & { name: string };
}
const hold = (s: WorkerSlot, id: number) => (s.held as Map<number, unknown>).set(id, undefined);
const settle = (s: WorkerSlot, id: number) => (s.held as Map<number, unknown>).delete(id);
const nameOf = (s: WorkerSlot | undefined) => (s as { name?: string } | undefined)?.name;

it('picks an idle slot first, then the least loaded below the depth, oldest in its bucket first', () => {
  const index = new SlotsByLoad();
  const [a, b, c] = [slot('a', 2), slot('b', 1), slot('c', 1)];
  for (const s of [a, b, c]) index.track(s);
  assert.equal(index.size, 3);
  assert.equal(nameOf(index.leastLoaded(1, () => true)), undefined, 'no slot is idle');
  assert.equal(nameOf(index.leastLoaded(3, () => true)), 'b');
  assert.equal(nameOf(index.leastLoaded(3, (s) => s !== b)), 'c', 'a slot that does not fit is passed over');
  assert.equal(nameOf(index.leastLoaded(1, () => true)), undefined);
  assert.equal(nameOf(index.leastLoaded(2, (s) => s === a)), undefined, 'a holds 2: not below depth 2');

  settle(a, 0);
  settle(a, 1);
  index.update(a);
  assert.equal(nameOf(index.leastLoaded(1, () => true)), 'a', 'a is idle now');
  hold(a, 7);
  index.update(a);
  assert.equal(nameOf(index.leastLoaded(3, () => true)), 'b', 'a joined the bucket of 1 after b and c');
});

it('a forgotten slot is never picked again, and update does not bring it back', () => {
  const index = new SlotsByLoad();
  const [a, b] = [slot('a', 0), slot('b', 1)];
  index.track(a);
  index.track(b);
  index.forget(a);
  index.forget(a);
  assert.equal(index.size, 1);
  index.update(a);
  assert.equal(index.size, 1);
  assert.equal(nameOf(index.leastLoaded(5, () => true)), 'b');
  index.forget(b);
  assert.equal(
    index.leastLoaded(5, () => true),
    undefined,
  );
  assert.equal(index.size, 0);
});
