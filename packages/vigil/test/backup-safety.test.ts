/**
 * Crash safety: kill -9 of a real backup into a format-2 repository at several points (then a
 * clean next run, and no snapshot lost). Restore's safety is in restore-safety.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeSourceTree, runUntilPoint, snapshotIds } from './backup-helpers.js';
import { tempDir, vigil } from './helpers.js';

/** Where each test point sits, and whether the killed run's snapshot is committed by then. */
const KILL_POINTS = [
  { point: 'after-first-batch', committed: false, keepLast: undefined },
  { point: 'objects-stored', committed: false, keepLast: undefined },
  { point: 'before-commit', committed: false, keepLast: undefined },
  { point: 'after-commit', committed: true, keepLast: undefined },
  // With --keep-last 1 the run removes the older snapshot, then dies half-way through pruning.
  { point: 'during-prune', committed: true, keepLast: '1' },
] as const;

describe('vigil backup survives kill -9', () => {
  let dir: { path: string; cleanup: () => void };
  before(() => {
    dir = tempDir('vigil-crash-');
  });
  after(() => dir.cleanup());

  for (const { point, committed, keepLast } of KILL_POINTS) {
    it(`killed at ${point}: earlier snapshots intact, ${committed ? 'its snapshot complete' : 'no partial snapshot'}, next run succeeds`, async () => {
      const src = join(dir.path, `${point}-src`);
      const repo = join(dir.path, `${point}-repo`);
      // 300 files: several batches, so 'after-first-batch' falls mid-run.
      makeSourceTree(src, 300);
      assert.equal((await vigil(['backup', src, '--to', repo])).code, 0);
      const [first] = await snapshotIds(repo);
      for (let i = 0; i < 300; i += 3) writeFileSync(join(src, 'docs', `f${i}.txt`), `changed ${i}\n`);
      writeFileSync(join(src, 'new-file'), 'new\n');
      const args = ['backup', src, '--to', repo, ...(keepLast ? ['--keep-last', keepLast] : [])];
      const run = await runUntilPoint(args, point);
      process.kill(run.pid, 'SIGKILL');
      assert.equal(await run.exited, null);

      const ids = await snapshotIds(repo);
      if (keepLast) assert.equal(ids.length, 1);
      else assert.deepEqual(ids.slice(0, 1), [first]);
      assert.equal(ids.length, committed ? (keepLast ? 1 : 2) : 1);
      const verified = await vigil(['verify', repo]);
      assert.equal(verified.code, 0, verified.stderr);
      // Killed after its workers' packs were renamed into data/ but before an index listed them.
      if (point === 'objects-stored') assert.match(verified.stdout.toString(), /\d+ packs? of an interrupted run/);

      const next = await vigil(['backup', src, '--to', repo, '--json']);
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
      assert.deepEqual(readdirSync(join(repo, 'locks')), []);
      const { pruned } = JSON.parse(next.stdout.toString()) as { pruned?: { keptPacks: number } };
      assert.ok(pruned, 'the run after a crash prunes what the crash left');
      // Nothing unlisted is left: every pack on disk is one the index lists (prune removed the rest).
      const onDisk = readdirSync(join(repo, 'data'), { recursive: true, withFileTypes: true }).filter((e) =>
        e.isFile(),
      ).length;
      assert.equal(onDisk, pruned.keptPacks);
      assert.equal((await vigil(['verify', repo])).code, 0);
      const out = join(dir.path, `${point}-out`);
      assert.equal((await vigil(['restore', repo, 'latest', out])).code, 0);
      execFileSync('diff', ['-r', '--no-dereference', src, join(out, src)]);
    });
  }
});
