import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidStateError, Process } from 'tandem';
import { ALL_BACKENDS, ISOLATED_BACKENDS } from './fixtures/backends.ts';
import { Forgetful, Summer } from './fixtures/process-classes.ts';
import { RUNTIME } from './fixtures/runtime.ts';
import tasks from './fixtures/tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`Process (${backend})`, () => {
    it('runs its target with args and reports exit code 0; pid, name and isAlive are right', async () => {
      const p = new Process({ target: tasks.sleep, args: [30], name: 'Worker1', backend });
      assert.equal(p.exitCode, null);
      assert.equal(p.isAlive(), false);
      p.start();
      assert.equal(p.name, 'Worker1');
      assert.equal(p.isAlive(), true);
      assert.equal(typeof p.pid, 'number');
      if (backend === 'process') assert.notEqual(p.pid, process.pid);
      else assert.equal(p.pid, process.pid);
      await p.join();
      assert.equal(p.exitCode, 0);
      assert.equal(p.isAlive(), false);
    });

    it('exit code 1 after the target throws', async () => {
      const p = new Process({ target: tasks.fail, args: ['target broke'], backend });
      p.start();
      await p.join();
      assert.equal(p.exitCode, 1);
    });

    it('start() twice throws; join() before start() throws', async () => {
      const p = new Process({ target: tasks.square, args: [2], backend });
      await assert.rejects(p.join(), InvalidStateError);
      p.start();
      assert.throws(() => p.start(), InvalidStateError);
      await p.join();
    });

    it('join(timeoutMs) resolves when time runs out, without throwing', async () => {
      const p = new Process({ target: tasks.idle, args: [60_000], backend });
      p.start();
      await p.join(20);
      assert.equal(p.isAlive(), true);
      assert.equal(p.exitCode, null);
      p.kill();
      await p.join();
      assert.equal(p.exitCode, -9);
    });

    it('a subclass runs run() in the child with the instance fields', async () => {
      const hostExitCode = process.exitCode;
      const p = new Summer([1, 2, 3, 4], 'tens', backend);
      p.start();
      await p.join();
      // Inline, process.exitCode is the host program's own: the Process reports 0.
      assert.equal(p.exitCode, backend === 'inline' ? 0 : 10);
      process.exitCode = hostExitCode ?? 0; // Bun ignores undefined here, keeping 10 as the runner's exit code
    });

    it('a subclass without static moduleUrl is refused with a message saying what to add', () => {
      assert.throws(() => new Forgetful({ backend }).start(), /static override moduleUrl = import\.meta\.url/);
    });

    it('the exit code is observable without join()', async () => {
      const p = new Process({ target: tasks.square, args: [3], backend });
      p.start();
      while (p.isAlive()) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(p.exitCode, 0);
    });
  });
}

for (const backend of ISOLATED_BACKENDS) {
  describe(`Process exit codes (${backend})`, () => {
    const cases: [string, () => Process, number][] = [
      ['process.exit(7)', () => new Process({ target: tasks.exitWith, args: [7], backend }), 7],
      ['an uncaught error', () => new Process({ target: tasks.throwInTimer, args: [60_000], backend }), 1],
    ];
    for (const [what, make, code] of cases) {
      it(`${what} -> ${code}`, async () => {
        const p = make();
        p.start();
        await p.join();
        assert.equal(p.exitCode, code);
      });
    }

    for (const [method, code] of [
      ['terminate', -15],
      ['kill', -9],
    ] as const) {
      it(`${method}() -> ${code}`, async () => {
        const p = new Process({ target: tasks.spin, args: [60_000], backend });
        p.start();
        p[method]();
        await p.join();
        assert.equal(p.exitCode, code);
      });
    }

    it('running out of heap ends the child with a failure code', async () => {
      const p = new Process({
        target: tasks.hog,
        args: [512],
        backend,
        resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 },
      });
      if (RUNTIME !== 'node') {
        // Bun and Deno do not enforce heap limits: tandem refuses the option there instead.
        assert.throws(() => p.start(), /does not limit the heap/);
        return;
      }
      p.start();
      await p.join();
      assert.equal(p.exitCode, backend === 'process' ? -6 : 1);
    });

    it('a subclass sets its exit code from its fields', async () => {
      const p = new Summer([5, 6], 'eleven', backend);
      p.start();
      await p.join();
      assert.equal(p.exitCode, 11);
    });
  });
}
