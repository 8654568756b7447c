/**
 * Crash safety and restore safety: kill -9 of a real backup at several points (then a clean
 * next run, and no snapshot lost), and snapshot records whose paths try to escape TARGET.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EntryLog, type SnapshotEntry, type SnapshotHeader, writeRecord } from '../src/backup/snapshot-record.js';
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

      const next = await vigil(['backup', src, '--to', repo, '--json']);
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
      assert.equal(existsSync(join(repo, 'prune-pending')), false);
      assert.equal(existsSync(join(repo, 'lock')), false);
      const { pruned } = JSON.parse(next.stdout.toString()) as { pruned?: { keptObjects: number } };
      assert.ok(pruned, 'the run after a crash prunes what the crash left');
      // Nothing unreferenced is left: every object on disk is used by some snapshot.
      const onDisk = readdirSync(join(repo, 'objects'), { recursive: true, withFileTypes: true }).filter((e) =>
        e.isFile(),
      ).length;
      assert.equal(onDisk, pruned.keptObjects);
      assert.equal((await vigil(['verify', repo])).code, 0);
      const out = join(dir.path, `${point}-out`);
      assert.equal((await vigil(['restore', repo, 'latest', out])).code, 0);
      execFileSync('diff', ['-r', '--no-dereference', src, join(out, src)]);
    });
  }
});

describe('vigil restore refuses paths that escape TARGET', () => {
  let dir: { path: string; cleanup: () => void };
  let repo: string;
  let hash: string;
  const at = (...names: string[]) => join(dir.path, ...names);

  before(async () => {
    dir = tempDir('vigil-evil-');
    mkdirSync(at('src'));
    writeFileSync(at('src', 'payload'), 'payload\n');
    repo = at('repo');
    assert.equal((await vigil(['backup', at('src'), '--to', repo])).code, 0);
    hash = execFileSync('b3sum', ['--no-names', at('src', 'payload')])
      .toString()
      .trim();
  });
  after(() => dir.cleanup());

  /** Writes a snapshot record holding exactly these entries, as a tampered repository would. */
  function forge(id: string, entries: SnapshotEntry[]): void {
    const log = new EntryLog(at(`${id}.entries`));
    for (const entry of entries) log.add(entry);
    log.finish();
    const header: SnapshotHeader = {
      format: 1,
      id,
      time: new Date().toISOString(),
      timeNs: `${Date.now()}000000`,
      host: 'evil',
      sources: ['/'],
      tags: [],
      files: entries.length,
      dirs: 0,
      symlinks: 0,
      totalBytes: 0,
      newBytes: 0,
      newObjects: 0,
      incomplete: false,
      unreadableCount: 0,
      unreadable: [],
    };
    writeRecord(join(repo, 'snapshots', `${id}.jsonl.gz`), header, log);
  }
  const file = (path: string): SnapshotEntry => ({
    path: Buffer.from(path),
    type: 'file',
    mode: 0o644,
    mtimeNs: '1000000000000000000',
    ctimeNs: '0',
    ino: 1,
    size: 8,
    hash,
  });

  const CASES = [
    { id: 'dotdot01', entries: () => [file('/../../escaped')], why: /"\.\." part/ },
    { id: 'dotdot02', entries: () => [file('/a/../../escaped')], why: /"\.\." part/ },
    { id: 'relative', entries: () => [file('escaped')], why: /not an absolute path/ },
    { id: 'emptyprt', entries: () => [file('//escaped')], why: /empty part/ },
    {
      id: 'throughl',
      entries: () => [
        { ...file('/link'), type: 'symlink' as const, hash: undefined, target: Buffer.from(at('outside')) },
        file('/link/escaped'),
      ],
      why: /below the symlink \/link/,
    },
  ];
  for (const c of CASES) {
    it(`refuses a record path ${c.id} before writing anything (exit 2)`, async () => {
      mkdirSync(at('outside'), { recursive: true });
      forge(c.id, c.entries());
      const target = at(`target-${c.id}`);
      const result = await vigil(['restore', repo, c.id, target]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, c.why);
      assert.equal(existsSync(target), false);
      assert.deepEqual(readdirSync(at('outside')), []);
      assert.equal(existsSync(at('escaped')), false);
    });
  }

  it('does not write through a symlink that already exists inside TARGET (exit 1)', async () => {
    mkdirSync(at('outside2'));
    const target = at('target-link');
    mkdirSync(target);
    symlinkSync(at('outside2'), join(target, 'x'));
    forge('prelink0', [file('/x/escaped')]);
    const result = await vigil(['restore', repo, 'prelink0', target]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /refusing to write through the symlink .*target-link\/x/);
    assert.deepEqual(readdirSync(at('outside2')), []);
  });
});
