import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runExample } from '../run-example.ts';

describe('integrity-shared', () => {
  let root: string;
  let tree: string;
  let baseline: string;
  const then = new Date('2020-02-02T12:00:00Z');

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'integrity-shared-'));
    tree = join(root, 'tree');
    baseline = join(root, 'baseline.json');
    await mkdir(join(tree, 'sub'), { recursive: true });
    for (const name of ['grown.txt', 'touched.txt', 'edited.txt', 'same.txt', 'sub/same.txt']) {
      await writeFile(join(tree, name), `${name} v1`);
      // Whole seconds, so that utimes() can put a timestamp back exactly.
      await utimes(join(tree, name), then, then);
    }
    const made = await runExample('examples/integrity-shared/make-baseline.ts', [tree, baseline]);
    assert.equal(made.stdout, `baseline of 5 files written to ${baseline}\n`, made.stderr);

    await appendFile(join(tree, 'grown.txt'), ' and more');
    await utimes(join(tree, 'touched.txt'), new Date(), new Date());
    await writeFile(join(tree, 'edited.txt'), 'edited.txt v2'); // same size, same timestamp
    await utimes(join(tree, 'edited.txt'), then, then);
    await writeFile(join(tree, 'sub', 'new.txt'), 'new');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('reports every difference from the baseline after a progress count of every file', async () => {
    const { code, lines, stderr } = await runExample('examples/integrity-shared/main.ts', [
      '--workers',
      '3',
      tree,
      baseline,
    ]);
    assert.equal(code, 0, stderr);
    const progress = lines.filter((line) => line.startsWith('checked '));
    for (const line of progress) assert.match(line, /^checked \d+\/\d+ files$/);
    assert.equal(progress.at(-1), 'checked 6/6 files');
    assert.deepEqual(lines.slice(progress.length), [
      'content changed: edited.txt',
      'size changed: grown.txt',
      'timestamp changed: grown.txt',
      'new file: sub/new.txt',
      'timestamp changed: touched.txt',
      '5 alerts',
    ]);
  });

  it('finds no changes against a fresh baseline', async () => {
    const fresh = join(root, 'fresh.json');
    await runExample('examples/integrity-shared/make-baseline.ts', [tree, fresh]);
    const { code, lines } = await runExample('examples/integrity-shared/main.ts', [tree, fresh]);
    assert.equal(code, 0);
    assert.deepEqual(lines.slice(-2), ['checked 6/6 files', 'no changes']);
  });
});
