// Compile-time checks of the Pool contract: each @ts-expect-error must be an error, and
// every other line must compile. Checked by types.test.ts with tsc.
import { type AsyncResult, type Connection, Manager, Pipe, Pool } from 'tandem';
import tasks from '../fixtures/tasks.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T>(_value: T): void {}
function assertEqual<A, B>(_proof: Equal<A, B>): void {}

export async function contract(source: AsyncIterable<number>) {
  const pool = new Pool({ workers: 4 });

  const nine = await pool.apply(tasks.square, [3]);
  assertEqual<typeof nine, number>(true);
  const slept = await pool.apply(tasks.sleep, [10]);
  assertEqual<typeof slept, number>(true); // async tasks resolve to their awaited value

  // @ts-expect-error wrong argument type
  await pool.apply(tasks.square, ['3']);
  // @ts-expect-error wrong argument count
  await pool.apply(tasks.add, [1]);
  // @ts-expect-error too many arguments
  await pool.apply(tasks.square, [1, 2]);

  const squares = await pool.map(tasks.square, [1, 2, 3]);
  assertEqual<typeof squares, number[]>(true);
  // @ts-expect-error items of the wrong type
  await pool.map(tasks.square, ['a']);
  // @ts-expect-error map needs a one-argument task: use starmap
  await pool.map(tasks.add, [1, 2]);

  const sums = await pool.starmap(tasks.add, [
    [1, 2],
    [3, 4],
  ]);
  assertEqual<typeof sums, number[]>(true);
  // @ts-expect-error an argument list of the wrong shape
  await pool.starmap(tasks.add, [[1, 'x']]);

  for await (const y of pool.imap(tasks.square, source)) expectType<number>(y);
  for await (const y of pool.imapUnordered(tasks.square, source)) expectType<number>(y);

  const r = pool.applyAsync(tasks.sleep, [100]);
  expectType<AsyncResult<number>>(r);
  const fromGet: number = await r.get(50);
  const settled: boolean = await r.wait(50);
  expectType<boolean>(r.ready() && r.successful() && r.cancel() && settled && fromGet > 0);

  const incremented = await pool.map((x: number) => x + 1, [1, 2]);
  assertEqual<typeof incremented, number[]>(true);

  const mapped = pool.mapAsync(tasks.square, [1, 2], { callback: (values) => expectType<number[]>(values) });
  expectType<AsyncResult<number[]>>(mapped);
  const starred = pool.starmapAsync(tasks.add, [[1, 2]]);
  expectType<AsyncResult<number[]>>(starred);
  // @ts-expect-error starmapAsync items are argument lists of the task
  pool.starmapAsync(tasks.add, [['1', 2]]);

  const [left, right] = Pipe<string>();
  expectType<Connection<string>>(right);
  left.send('hello');
  const received: string = await right.recv();
  // @ts-expect-error a Pipe<string> carries strings
  left.send(1);

  class Counter {
    n = 0;
    add(by: number) {
      this.n += by;
      return this.n;
    }
  }
  class CountingManager extends Manager {}
  const Counting = CountingManager.register('counter', (start: number) => Object.assign(new Counter(), { n: start }));
  const manager = new Counting();
  const counter = await manager.counter(1);
  const added = await counter.add(2);
  assertEqual<typeof added, number>(true);
  // @ts-expect-error the factory takes a number
  await manager.counter('1');
  // @ts-expect-error the proxy has the class's methods only
  await counter.subtract(1);
  expectType<string>(received);

  // @ts-expect-error initArgs are checked only at run time, but initializer must be a function
  new Pool({ initializer: 'setup' });
  pool.close();
  await pool.join();
}
