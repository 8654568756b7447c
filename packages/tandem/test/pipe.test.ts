import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  BrokenPipeError,
  Connection,
  EOFError,
  InvalidStateError,
  Pipe,
  Pool,
  Process,
  Queue,
  Semaphore,
  waitConnections,
} from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import pipeTasks from './fixtures/pipe-tasks.ts';

const sumTo = (n: number) => (n * (n - 1)) / 2;

for (const backend of ALL_BACKENDS) {
  describe(`Pipe and Connection (${backend})`, () => {
    const pool = new Pool({ workers: 2, backend });
    after(() => pool.terminate());

    it('a Process and the main thread talk both ways over a duplex pipe, in order', async () => {
      const [here, there] = Pipe<number>();
      assert.ok(here instanceof Connection);
      const p = new Process({ target: pipeTasks.echoDouble, args: [there], backend });
      p.start();
      const got: number[] = [];
      for (let i = 1; i <= 5; i++) {
        here.send(i);
        got.push(await here.recv());
      }
      here.close();
      await p.join();
      assert.deepEqual(got, [2, 4, 6, 8, 10]);
      assert.equal(p.exitCode, 0);
      assert.equal(here.closed, true);
      assert.equal(there.closed, true, 'the Process closed its end');
    });

    it('two Processes talk over a pipe', async () => {
      const [reader, writer] = Pipe<number>({ duplex: false });
      const out = new Queue<number>();
      const sender = new Process({ target: pipeTasks.sendRange, args: [writer, 100], backend });
      const receiver = new Process({ target: pipeTasks.sumInto, args: [reader, out], backend });
      receiver.start();
      sender.start();
      assert.equal(await out.get(), sumTo(100));
      await Promise.all([sender.join(), receiver.join()]);
      assert.deepEqual([sender.exitCode, receiver.exitCode], [0, 0]);
    });

    it('a Process sends to a pool task over a pipe', async () => {
      const [reader, writer] = Pipe<number>();
      const summing = pool.apply(pipeTasks.sumUntilEOF, [reader]);
      const sender = new Process({ target: pipeTasks.sendRange, args: [writer, 50], backend });
      sender.start();
      assert.equal(await summing, sumTo(50));
      await sender.join();
    });

    it('a peer closing the pipe mid-recv makes recv() reject with EOFError, and send() with BrokenPipeError', async () => {
      const [here, there] = Pipe<string>();
      const pending = assert.rejects(here.recv(), EOFError);
      await pool.apply(pipeTasks.closeEnd, [there]);
      await pending;
      await assert.rejects(here.recv(), EOFError);
      assert.throws(() => here.send('too late'), BrokenPipeError);

      // And the other way round: a worker waiting in recv() when the main thread closes.
      const [mine, theirs] = Pipe<string>();
      const waiting = new Semaphore(0);
      const answer = pool.apply(pipeTasks.recvAfterSignal, [theirs, waiting]);
      await waiting.acquire();
      mine.close();
      const ended = await answer;
      assert.equal('name' in ended && ended.name, 'EOFError');
      assert.equal('code' in ended && ended.code, 'ERR_TANDEM_EOF');
      if (backend !== 'process') {
        const sent = await pool.apply(pipeTasks.sendOne, [theirs, 'into the void']);
        assert.equal(sent !== 'sent' && sent.name, 'BrokenPipeError');
      } else {
        // A child process's send() is one-way (it does not wait for the parent): the parent
        // runs it, and its failure becomes a warning there, as for the other one-way members.
        const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
        assert.equal(await pool.apply(pipeTasks.sendOne, [theirs, 'into the void']), 'sent');
        assert.match((await warned).message, /one-way send\(\) from a worker failed: BrokenPipeError/);
      }
    });

    it('what was sent before close() is still received, then EOFError', async () => {
      const [reader, writer] = Pipe<number>({ duplex: false });
      await pool.apply(pipeTasks.sendRange, [writer, 3]);
      assert.deepEqual([await reader.recv(), await reader.recv(), await reader.recv()], [0, 1, 2]);
      await assert.rejects(reader.recv(), EOFError);
    });

    it('Pipe({ duplex: false }): the first end only receives, the second only sends', async () => {
      const [reader, writer] = Pipe<number>({ duplex: false });
      assert.deepEqual(
        [reader.readable, reader.writable, writer.readable, writer.writable],
        [true, false, false, true],
      );
      assert.throws(() => reader.send(1), InvalidStateError);
      await assert.rejects(writer.recv(), InvalidStateError);
      const sent = await pool.apply(pipeTasks.sendOne, [reader, 1]);
      assert.equal(sent !== 'sent' && sent.name, 'InvalidStateError');
    });

    it('poll() looks without waiting, poll(ms) waits for a value, and a closed peer counts as ready', async () => {
      const [here, there] = Pipe<string>();
      assert.equal(await here.poll(), false);
      assert.equal(await pool.apply(pipeTasks.pollFor, [there, 0]), false);
      const polling = here.poll(Number.POSITIVE_INFINITY);
      await pool.apply(pipeTasks.sendOne, [there, 'ping']);
      assert.equal(await polling, true);
      assert.equal(await here.recv(), 'ping');
      const workerPolling = pool.apply(pipeTasks.pollFor, [there, 60_000]);
      here.close();
      assert.equal(await workerPolling, true, 'recv() would not wait: it fails with EOFError at once');
      await assert.rejects(here.poll(), InvalidStateError, 'a closed end cannot be polled');
    });

    it('waitConnections() resolves to the ends that are ready, on the main side and in a worker', async () => {
      const pipes = [Pipe<string>(), Pipe<string>(), Pipe<string>()];
      const mine = pipes.map(([a]) => a);
      const theirs = pipes.map(([, b]) => b);
      assert.deepEqual(await waitConnections(mine, 0), []);
      const waiting = waitConnections(mine);
      await pool.apply(pipeTasks.sendOne, [theirs[1], 'second']);
      assert.deepEqual(await waiting, [mine[1]]);
      assert.equal(await mine[1]?.recv(), 'second');

      const inWorker = pool.apply(pipeTasks.waitAny, [theirs]);
      mine[2]?.send('to the third');
      assert.deepEqual(await inWorker, { ready: [2], value: 'to the third' });
      assert.deepEqual(await pool.apply(pipeTasks.waitAny, [theirs, 0]), { ready: [], value: undefined });
    });

    it('values sent faster than the peer reads wait on the main thread, in order, however small the pipe', async () => {
      const [reader, writer] = Pipe<number>({ duplex: false, capacityBytes: 64 });
      for (let i = 0; i < 200; i++) writer.send(i); // never waits: the pipe holds only a few
      writer.close();
      assert.equal(await pool.apply(pipeTasks.sumUntilEOF, [reader]), sumTo(200));
    });
  });
}

describe('Connection in worker threads (recvSync)', () => {
  const pool = new Pool({ workers: 1, backend: 'thread' });
  after(() => pool.terminate());

  it('recvSync blocks the worker thread until a value or EOF arrives', async () => {
    const [reader, writer] = Pipe<number>({ duplex: false, capacityBytes: 64 });
    const summing = pool.apply(pipeTasks.sumUntilEOFSync, [reader]);
    for (let i = 0; i < 100; i++) writer.send(i);
    writer.close();
    assert.deepEqual(await summing, { sum: sumTo(100), count: 100 });
  });

  it('on the main thread recvSync names the async member', () => {
    const [here] = Pipe();
    assert.throws(
      () => here.recvSync(),
      /Connection\.recvSync\(\) cannot be used here: .*Use `await connection\.recv\(\)`/,
    );
  });
});
