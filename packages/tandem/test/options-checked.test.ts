/**
 * Options are checked at run time, for callers without TypeScript: a wrong name or kind is a
 * TypeError (a number out of range a RangeError) that names the class and the option.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Barrier,
  BoundedSemaphore,
  Lock,
  Pool,
  Process,
  Queue,
  RawArray,
  RawValue,
  Semaphore,
  SharedArray,
  SimpleQueue,
  Value,
} from 'tandem';
import tasks from './fixtures/tasks.ts';

/** Calls `make` as JavaScript would, with whatever it is given. */
const loose = <T>(make: () => T) => make;

describe('options checked at run time', () => {
  it('Value, RawValue, SharedArray and RawArray name the bad option or element', () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => new Value('int32', 5, { lock: 'navalue' } as never),
        /^Value: option lock must be true, false, a Lock or an RLock, got "navalue" \(a string\)$/,
      ],
      [
        () => new Value('int32', 5, { locked: true } as never),
        /^Value: unknown option "locked"; the options are lock$/,
      ],
      [() => new Value('int32', 5, 'yes' as never), /^Value: the options must be an object, got "yes"/],
      [
        () => new SharedArray('float64', 3, { lock: 1 } as never),
        /^SharedArray: option lock must be .* got 1 \(a number\)$/,
      ],
      [() => new RawValue('int32', '5' as never), /^RawValue: an int32 element must be a number, got "5" \(string\)$/],
      [() => new Value('bigint64', 5 as never), /^Value: a bigint64 element must be a bigint, got 5 \(number\)$/],
      [() => new RawArray('uint8', [1, 'two'] as never), /^RawArray: an uint8 element must be a number, got "two"/],
      [() => new SharedArray('int32', null as never), /SharedArray/],
      [() => new Value('int128' as never, 1), /unknown element type "int128"/],
    ];
    for (const [make, message] of cases)
      assert.throws(loose(make), (e: unknown) => e instanceof TypeError && message.test(e.message), String(message));
    const v = new Value('int32', 1);
    assert.throws(() => {
      v.value = 'x' as never;
    }, /Value: an int32 element must be a number, got "x"/);
    assert.equal(v.value, 1, 'nothing was written');
  });

  it('Queue, Semaphore and Barrier sizes: a wrong kind is a TypeError, out of range a RangeError', () => {
    assert.throws(
      () => new Queue('10' as never),
      /^TypeError: Queue: maxsize must be an integer >= 0, got "10" \(a string\)$/,
    );
    assert.throws(() => new Queue(-1), /^RangeError: Queue: maxsize must be an integer >= 0, got -1/);
    assert.throws(
      () => new Queue(0, { capacity: 64 } as never),
      /^TypeError: Queue: unknown option "capacity"; the options are capacityBytes$/,
    );
    assert.throws(
      () => new SimpleQueue({ capacityBytes: '1k' } as never),
      /^TypeError: SimpleQueue: option capacityBytes must be/,
    );
    assert.throws(
      () => new Semaphore('2' as never),
      /^TypeError: Semaphore: the initial value must be an integer >= 0, got "2"/,
    );
    assert.throws(() => new BoundedSemaphore(-2), /^RangeError: BoundedSemaphore: the initial value/);
    assert.throws(() => new Barrier(2, { timout: 5 } as never), /^TypeError: Barrier: unknown option "timout"/);
    assert.throws(
      () => new Barrier(2, { timeout: 'soon' } as never),
      /^TypeError: timeout must be a number of milliseconds/,
    );
    assert.throws(() => new Barrier('3' as never), /^TypeError: Barrier: parties must be an integer >= 1, got "3"/);
  });

  it('waits check their timeout', async () => {
    await assert.rejects(
      new Lock().acquire({ timeout: 'x' as never }),
      /^TypeError: timeout must be a number of milliseconds >= 0, got "x"/,
    );
    await assert.rejects(new Queue().get({ timeout: -5 }), /^RangeError: timeout must be/);
  });

  it('Pool and Process options: unknown names and wrong kinds', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => new Pool({ worker: 2 } as never), /^Pool: unknown option "worker"; the options are workers, backend,/],
      [() => new Pool({ workers: '2' } as never), /^Pool: workers must be a whole number >= 1, got "2" \(a string\)$/],
      [
        () => new Pool({ taskTimeout: '1s' } as never),
        /^Pool: taskTimeout must be a number of milliseconds > 0, got "1s"/,
      ],
      [() => new Pool({ logPrefix: 'yes' } as never), /^Pool: option logPrefix must be a boolean, got "yes"/],
      [() => new Pool({ execArgv: '--inspect' } as never), /^Pool: option execArgv must be an array of strings/],
      [() => new Pool({ initializer: 'setup' } as never), /^Pool: option initializer must be a function/],
      [
        () => new Process({ target: tasks.square, arg: [1] } as never),
        /^Process: unknown option "arg"; the options are target, args,/,
      ],
      [
        () => new Process({ target: tasks.square, daemon: 1 } as never),
        /^Process: option daemon must be a boolean, got 1 \(a number\)$/,
      ],
    ];
    for (const [make, message] of cases)
      assert.throws(loose(make), (e: unknown) => e instanceof TypeError && message.test(e.message), String(message));
  });

  it('call options: unknown names, a signal that is not an AbortSignal, callbacks that are not functions', async () => {
    await using pool = new Pool({ workers: 1, backend: 'inline' });
    await assert.rejects(
      pool.apply(tasks.square, [2], { timout: 5 } as never),
      /^TypeError: apply: unknown option "timout"; the options are signal, timeout, transfer$/,
    );
    await assert.rejects(
      pool.map(tasks.square, [1], { chunksize: 2 } as never),
      /^TypeError: map: unknown option "chunksize"/,
    );
    await assert.rejects(
      pool.imap(tasks.square, [1], { window: 2 } as never).next(),
      /^TypeError: imap: unknown option "window"/,
    );
    await assert.rejects(
      pool.apply(tasks.square, [2], { signal: {} } as never),
      /^TypeError: task square: option signal must be an AbortSignal, got an object$/,
    );
    assert.throws(
      () => pool.applyAsync(tasks.square, [2], { callback: 'log' } as never),
      /^TypeError: applyAsync: option callback must be a function/,
    );
    assert.equal(await pool.apply(tasks.square, [3]), 9, 'the pool goes on');
  });
});
