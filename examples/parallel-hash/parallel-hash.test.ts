import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runExample } from '../run-example.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('parallel-hash', () => {
  let dir: string;
  const contents = new Map<string, string>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parallel-hash-'));
    await mkdir(join(dir, 'sub'));
    for (const [name, text] of [
      ['a.txt', 'alpha'],
      ['b.txt', ''],
      ['c.bin', 'x'.repeat(200_000)],
      ['sub/d.txt', 'delta'],
      ['sub/e.txt', 'echo'],
    ]) {
      contents.set(join(dir, name as string), text as string);
      await writeFile(join(dir, name as string), text as string);
    }
    // Sorted, the files are a.txt, b.txt, broken, c.bin, sub/d.txt, sub/e.txt: with 3
    // workers, broken (index 2) falls to hasher-3.
    await symlink(join(dir, 'missing'), join(dir, 'broken'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints the SHA-256 of every readable file, in path order, and warns about the unreadable one', async () => {
    const { code, lines, stderr } = await runExample('examples/parallel-hash/main.ts', ['--workers', '3', dir]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      lines,
      [...contents].sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => `${sha256(text)}  ${path}`),
    );
    const warnings = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; worker: string; path: string; msg: string });
    assert.deepEqual(
      warnings.map(({ level, worker, path, msg }) => ({ level, worker, path, msg })),
      [{ level: 40, worker: 'hasher-3', path: join(dir, 'broken'), msg: 'cannot read a file: skipped' }],
    );
  });

  it('stops with an error naming the worker that failed, and prints no hashes', async () => {
    const { code, stdout, stderr } = await runExample('examples/parallel-hash/main.ts', [
      '--workers',
      '2',
      '--crash',
      '2',
      dir,
    ]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^parallel-hash: hasher-2 failed with exit code 1$/m);
    assert.doesNotMatch(stderr, /hasher-1 failed/);
  });
});
