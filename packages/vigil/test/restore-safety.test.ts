/** Restore safety: snapshot records whose paths try to escape TARGET. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EntryLog, type SnapshotEntry, type SnapshotHeader, writeRecord } from '../src/backup/snapshot-record.js';
import { tempDir, vigil } from './helpers.js';

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
