/**
 * The shared-memory protocols under interleavings a scheduler would produce only now and
 * then, made here on purpose: each waiter's steps are driven by hand, so the moment between
 * "released the lock" and "asleep" can be held open while another party acts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Barrier, Condition, Lock } from 'tandem';
import { ACQUIRE_STEPS, RELEASE_ONE } from '../dist/sync/lock-like.js';
import { newVirtualOwner, type Steps, type WaitResult, type WaitStep } from '../dist/sync/waits.js';

/** What Atomics.wait would answer now for this step, without sleeping: undefined if it would sleep. */
function wouldReturn(step: WaitStep): WaitResult | undefined {
  return Atomics.load(step.cells, step.index) === step.expected ? undefined : 'not-equal';
}

/** Runs steps that must not block, to their end. */
function runUncontended<T>(steps: Steps<T>): T {
  const next = steps.next();
  assert.equal(next.done, true, 'expected to finish without waiting');
  return next.value as T;
}

type ConditionInternals = {
  waitSteps(owner: number, deadline: number): Steps<boolean>;
  notifyFor(owner: number, n: number): void;
};

describe('Condition protocol', () => {
  it('notify(1) lets exactly one of two waiters go, even when neither was asleep yet', () => {
    const lock = new Lock();
    const cond = new Condition(lock) as unknown as ConditionInternals;
    const [a, b, notifier] = [newVirtualOwner(), newVirtualOwner(), newVirtualOwner()];
    const hold = (owner: number) => runUncontended(lock[ACQUIRE_STEPS](owner, Number.POSITIVE_INFINITY, 1));

    // A and B each take the lock, start waiting, and stop just before they sleep.
    hold(a);
    const waiterA = cond.waitSteps(a, Number.POSITIVE_INFINITY);
    const sleepA = waiterA.next();
    assert.equal(sleepA.done, false);
    hold(b);
    const waiterB = cond.waitSteps(b, Number.POSITIVE_INFINITY);
    const sleepB = waiterB.next();
    assert.equal(sleepB.done, false);

    hold(notifier);
    cond.notifyFor(notifier, 1);
    lock[RELEASE_ONE](notifier);

    // Both see the change the moment they try to sleep; only one may leave.
    const resultA = wouldReturn(sleepA.value as WaitStep);
    const resultB = wouldReturn(sleepB.value as WaitStep);
    assert.equal(resultA, 'not-equal');
    assert.equal(resultB, 'not-equal');
    const afterA = waiterA.next(resultA as WaitResult);
    assert.deepEqual([afterA.done, afterA.value], [true, true], 'A was notified and holds the lock');
    lock[RELEASE_ONE](a);
    const afterB = waiterB.next(resultB as WaitResult);
    assert.equal(afterB.done, false, 'B waits on: notify(1) woke A alone');
    assert.equal(wouldReturn(afterB.value as WaitStep), undefined, 'and B would really sleep now');

    // The next notify is B's.
    hold(notifier);
    cond.notifyFor(notifier, 1);
    lock[RELEASE_ONE](notifier);
    const finalB = waiterB.next(wouldReturn(afterB.value as WaitStep) as WaitResult);
    assert.deepEqual([finalB.done, finalB.value], [true, true]);
    lock[RELEASE_ONE](b);
  });

  it('notify(n) with fewer than n waiters hands out no wake-up for a later waiter', () => {
    const lock = new Lock();
    const cond = new Condition(lock) as unknown as ConditionInternals;
    const [late, notifier] = [newVirtualOwner(), newVirtualOwner()];
    runUncontended(lock[ACQUIRE_STEPS](notifier, Number.POSITIVE_INFINITY, 1));
    cond.notifyFor(notifier, 3);
    lock[RELEASE_ONE](notifier);
    runUncontended(lock[ACQUIRE_STEPS](late, Number.POSITIVE_INFINITY, 1));
    const waiter = cond.waitSteps(late, Number.POSITIVE_INFINITY);
    const step = waiter.next();
    assert.equal(step.done, false, 'a notify before wait() began does not count');
    assert.equal(wouldReturn(step.value as WaitStep), undefined);
    waiter.return(false);
  });

  it('a waiter whose time ran out is no longer counted: a later notify leaves no wake-up behind', () => {
    const lock = new Lock();
    const cond = new Condition(lock) as unknown as ConditionInternals;
    const [gaveUp, later, notifier] = [newVirtualOwner(), newVirtualOwner(), newVirtualOwner()];
    runUncontended(lock[ACQUIRE_STEPS](gaveUp, Number.POSITIVE_INFINITY, 1));
    // A deadline already past: the waiter gives up at once and takes the lock back.
    assert.equal(runUncontended(cond.waitSteps(gaveUp, performance.now() - 1)), false);
    lock[RELEASE_ONE](gaveUp);
    runUncontended(lock[ACQUIRE_STEPS](notifier, Number.POSITIVE_INFINITY, 1));
    cond.notifyFor(notifier, 1); // nobody waits: nothing to hand out
    lock[RELEASE_ONE](notifier);
    runUncontended(lock[ACQUIRE_STEPS](later, Number.POSITIVE_INFINITY, 1));
    const waiter = cond.waitSteps(later, Number.POSITIVE_INFINITY);
    const step = waiter.next();
    assert.equal(step.done, false, 'the later waiter sleeps: no wake-up was left for it');
    waiter.return(false);
  });
});

describe('Barrier.nWaiting', () => {
  it('is 0 once the barrier trips, while its parties are still leaving', async () => {
    const barrier = new Barrier(2);
    const first = barrier.wait();
    assert.equal(barrier.nWaiting, 1);
    const second = barrier.wait(); // the last party: trips the barrier; the first has not left yet
    assert.equal(barrier.nWaiting, 0);
    assert.deepEqual((await Promise.all([first, second])).sort(), [0, 1]);
    assert.equal(barrier.nWaiting, 0);
  });

  it('is 0 after abort(), although the aborted parties have not woken yet', async () => {
    const barrier = new Barrier(3);
    const waits = [barrier.wait().catch((e: unknown) => e), barrier.wait().catch((e: unknown) => e)];
    assert.equal(barrier.nWaiting, 2);
    barrier.abort();
    assert.equal(barrier.nWaiting, 0);
    for (const outcome of await Promise.all(waits)) assert.equal((outcome as Error).name, 'BrokenBarrierError');
  });
});
