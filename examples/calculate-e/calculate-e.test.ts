import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ExampleRun, runExample } from '../run-example.ts';

describe('calculate-e', () => {
  let dir: string;
  let run: ExampleRun;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'calculate-e-'));
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'one.txt'), 'x'.repeat(10));
    await writeFile(join(dir, 'a', 'two.txt'), 'x'.repeat(20));
    await writeFile(join(dir, 'a', 'b', 'three.txt'), 'x'.repeat(30));
    run = await runExample('examples/calculate-e/main.ts', ['--seconds', '0.05', '--status-every', '0.02', dir]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('stops each calculation through its exit Event and prints e', () => {
    assert.equal(run.code, 0, run.stderr);
    const e = (label: string) => Number(run.lines.find((line) => line.startsWith(label))?.split(' = ')[1]);
    for (const label of ['Process subclass: e = ', 'Pool.applyAsync: e = ', 'meanwhile: e = ']) {
      assert.ok(Math.abs(e(label) - Math.E) < 1e-15, `${label}${e(label)}`);
    }
  });

  it('walks the tree beside calculate-e, printing status lines while the walk runs', () => {
    const status = run.lines.filter((line) => line.startsWith('status: '));
    assert.ok(status.length >= 1);
    for (const line of status)
      assert.match(line, /^status: walker \d+ files, \d+ bytes; calculate-e alive (true|false)$/);
    assert.equal(run.lines.at(-2), `walked ${dir}: 3 files, 60 bytes (walker exit code 0)`);
  });

  it('both workers log through getLogger', () => {
    const records = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { logger: string; worker: string; msg: string; files?: number });
    const stops = records.filter((r) => r.logger === 'calculate-e' && r.msg === 'exit event set: stopping');
    assert.deepEqual(stops.map((r) => r.worker).sort(), ['calculate-e', 'calculate-e', 'tandem-1']);
    const walks = records.filter((r) => r.logger === 'walker');
    assert.deepEqual(
      walks.map((r) => [r.worker, r.msg, r.files]),
      [['walker', 'walk done', 3]],
    );
  });
});
