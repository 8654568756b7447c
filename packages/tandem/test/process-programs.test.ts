import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ISOLATED_BACKENDS } from './fixtures/backends.ts';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A child that exited a moment ago may still be a zombie of its (exited) parent for a tick. */
async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !isRunning(pid);
}

for (const backend of ISOLATED_BACKENDS) {
  describe(`Process in a program (${backend})`, () => {
    it('the parent waits for a non-daemon child; a daemon child does not outlive it', async () => {
      const { stdout } = await run(process.execPath, [fixture('daemon-parent.mjs'), backend], { timeout: 20_000 });
      const daemonPid = Number(/daemon pid (\d+)/.exec(stdout)?.[1]);
      assert.match(stdout, /exiting: worker exit code 0, daemon alive true/);
      if (backend === 'process') assert.equal(await waitUntilGone(daemonPid), true, 'the daemon child was stopped');
    });

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`on ${signal} the parent stops its children, then ends by that signal`, async () => {
        const parent = spawn(process.execPath, [fixture('signal-parent.mjs'), backend], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let output = '';
        parent.stdout.setEncoding('utf8');
        parent.stdout.on('data', (chunk: string) => {
          output += chunk;
        });
        while (!/pids [\d ]+\n/.test(output)) await once(parent.stdout, 'data');
        const pids = (/pids ([\d ]+)\n/.exec(output)?.[1] ?? '').split(' ').map(Number);
        parent.kill(signal);
        const [code, endedBy] = await once(parent, 'exit');
        assert.equal(code, null);
        assert.equal(endedBy, signal);
        if (backend === 'process') {
          for (const pid of pids) assert.equal(await waitUntilGone(pid), true, `child ${pid} was stopped`);
        }
      });
    }

    it("what children print arrives whole line by whole line, with each child's name as prefix", async () => {
      const count = 400;
      const { stdout } = await run(process.execPath, [fixture('output-parent.mjs'), backend, String(count)], {
        timeout: 30_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      const lines = stdout.trimEnd().split('\n');
      assert.equal(lines.length, 4 * count);
      const perChild = new Map<string, number>();
      for (const line of lines) {
        const match = /^\[(\w+)\] (\w+) line (\d+) x{200}$/.exec(line);
        assert.ok(match, `a mixed or broken line: ${line.slice(0, 80)}`);
        assert.equal(match[1], match[2]);
        perChild.set(match[1] as string, (perChild.get(match[1] as string) ?? 0) + 1);
      }
      assert.deepEqual([...perChild.values()], [count, count, count, count]);
    });

    it('getLogger in workers reaches the parent logger with no setup in the worker', async () => {
      const { stdout } = await run(process.execPath, [fixture('log-parent.mjs'), backend], { timeout: 20_000 });
      const records = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(records.length, 3);
      for (const record of records) {
        assert.equal(record.msg, 'hello from a worker');
        assert.equal(record.answer, 42);
        assert.equal(record.logger, 'fixture');
        assert.equal(record.level, 30);
        assert.equal(typeof record.pid, 'number');
      }
      assert.deepEqual(records.map((r) => r.name).sort(), ['a', 'b', 'c']);
      assert.ok(records.some((r) => String(r.worker).startsWith('logpool-')));
      assert.ok(records.some((r) => r.worker === 'logproc'));
      for (const record of records) {
        assert.equal(typeof record.workerPid, 'number', 'the worker pid is its own field, not a second "pid"');
        if (backend === 'process') assert.ok(record.workerPid !== record.pid && record.threadId === undefined);
        else assert.ok(record.workerPid === record.pid && typeof record.threadId === 'number');
      }
    });
  });
}
