import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, describe, it } from 'node:test';
import {
  activeChildren,
  cpuCount,
  currentProcess,
  Event,
  InvalidStateError,
  Pool,
  Process,
  parentProcess,
  Queue,
} from 'tandem';
import { ALL_BACKENDS, ISOLATED_BACKENDS } from './fixtures/backends.ts';
import identity from './fixtures/identity-tasks.ts';

describe('currentProcess() and parentProcess() in the main program', () => {
  it('answer as Python does: MainProcess, no parent', () => {
    const me = currentProcess();
    assert.deepEqual({ ...me }, { name: 'MainProcess', pid: process.pid, threadId: 0, daemon: false, pool: undefined });
    assert.equal(parentProcess(), undefined);
  });

  it('cpuCount() is the CPUs this process may use, the Pool default', () => {
    assert.equal(cpuCount(), availableParallelism());
    assert.ok(cpuCount() >= 1);
  });
});

for (const backend of ISOLATED_BACKENDS) {
  describe(`currentProcess() in workers (${backend})`, () => {
    const pool = new Pool({ workers: 2, backend, name: 'hashers' });
    after(() => pool.terminate());

    it('a pool worker knows its pool, its worker number and its parent', async () => {
      const seen = await pool.apply(identity.whoAmI, []);
      const { current, parent } = seen;
      assert.equal(current.pool?.name, 'hashers');
      assert.ok(current.pool && [1, 2].includes(current.pool.workerId));
      assert.equal(current.name, `hashers-${current.pool?.workerId}`);
      assert.equal(current.daemon, true, "a pool's workers are daemons, as Python's");
      assert.deepEqual(parent, { name: 'MainProcess', pid: process.pid });
      if (backend === 'process') assert.notEqual(current.pid, process.pid);
      else {
        assert.equal(current.pid, process.pid);
        assert.notEqual(current.threadId, 0);
      }
    });

    it('a Process knows its name and daemon flag, and a Process it starts names it as parent', async () => {
      const out = new Queue<Awaited<ReturnType<typeof identity.whoAmI>>>();
      const p = new Process({ target: identity.reportTo, args: [out], name: 'Reporter', daemon: true, backend });
      p.start();
      const { current, parent } = await out.get();
      assert.equal(current.name, 'Reporter');
      assert.equal(current.daemon, true);
      assert.equal(current.pool, undefined);
      assert.deepEqual(parent, { name: 'MainProcess', pid: process.pid });
      await p.join();

      const outer = new Process({ target: identity.startReporter, args: [out, backend], name: 'Outer', backend });
      outer.start();
      const inner = await out.get();
      await outer.join();
      assert.equal(outer.exitCode, 0);
      assert.equal(inner.current.name, 'Inner');
      assert.equal(inner.current.daemon, false);
      assert.equal(inner.parent?.name, 'Outer');
      assert.equal(inner.parent?.pid, backend === 'process' ? outer.pid : process.pid);
    });
  });
}

for (const backend of ALL_BACKENDS) {
  describe(`activeChildren() and Process.close() (${backend})`, () => {
    it('lists the running Processes and reaps those that ended', async () => {
      const started = new Event();
      const release = new Event();
      const p = new Process({ target: identity.holdUntil, args: [started, release], backend });
      const before = activeChildren();
      p.start();
      await started.wait();
      assert.ok(activeChildren().includes(p));
      assert.equal(activeChildren().length, before.length + 1);
      release.set();
      await p.join();
      assert.ok(!activeChildren().includes(p));
    });

    it('close() refuses a running Process, then makes every member but name and daemon throw', async () => {
      const started = new Event();
      const release = new Event();
      const p = new Process({ target: identity.holdUntil, args: [started, release], name: 'Closer', backend });
      p.close(); // before start: allowed, as in Python... and then it cannot start
      assert.throws(() => p.start(), InvalidStateError);

      const q = new Process({ target: identity.holdUntil, args: [started, release], name: 'Closer', backend });
      q.start();
      await started.wait();
      assert.throws(() => q.close(), /still running/);
      release.set();
      await q.join();
      q.close();
      q.close(); // twice is fine
      assert.equal(q.name, 'Closer');
      assert.equal(q.daemon, false);
      for (const use of [() => q.exitCode, () => q.pid, () => q.isAlive(), () => q.terminate(), () => q.interrupt()]) {
        assert.throws(use, InvalidStateError);
      }
      await assert.rejects(q.join(), InvalidStateError);
      assert.ok(!activeChildren().includes(q));
    });
  });
}

describe('Process.interrupt()', () => {
  it('sends SIGINT to a child process, whose handler runs and lets it end normally', async () => {
    const ready = new Event();
    const out = new Queue<string>();
    const p = new Process({ target: identity.catchInterrupt, args: [ready, out], backend: 'process' });
    p.start();
    await ready.wait();
    p.interrupt();
    assert.equal(await out.get(), 'caught SIGINT');
    await p.join();
    assert.equal(p.exitCode, 0);
  });

  for (const backend of ISOLATED_BACKENDS) {
    it(`ends a worker without a SIGINT handler with exit code -2 (${backend})`, async () => {
      const ready = new Event();
      const p = new Process({ target: identity.waitForever, args: [ready], backend });
      p.start();
      await ready.wait();
      p.interrupt();
      await p.join();
      assert.equal(p.exitCode, -2);
    });
  }
});
