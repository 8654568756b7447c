/**
 * Resume: a backup killed half-way (kill -9, or Ctrl-C) leaves the packs its worker completed
 * (a worker fills one pack of about 16 MiB across batches: src/backup/run-packs.ts),
 * and the next run takes them over instead of storing their chunks again (src/backup/resume.ts).
 * The run is stopped at a known point, not by a timer: with one worker, the batch holding a file
 * named "*blocks" waits (test/support/observed-reader.mjs) after the batches before it are
 * stored, and says READING on stderr.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyRepository } from '../src/backup/verify.js';
import { createBlobCodec } from '../src/repo/compression.js';
import { Repository } from '../src/repo/repository.js';
import { listSnapshots } from '../src/repo/snapshot-store.js';
import { loadZstd } from '../src/repo/zstd.js';
import { OBSERVED_CLI, tempDir, vigil } from './helpers.js';
import { randomBytesFrom } from './repo/random-bytes.js';

const FILES_PER_DIR = 300;
/** 128 files of this fill a pack of 16 MiB. */
const FILE_BYTES = 128 * 1024;

/**
 * Two directories of incompressible files: a/ (walked first) fills the run's first batch (its
 * directories, then files up to 256 entries: over 30 MiB, so at least one complete pack of
 * 16 MiB) and begins the second; b/ starts with the file that blocks. When the run stops, at
 * least a pack is complete (128 files of the 600) and the one being filled is lost with the run.
 */
function makeTree(root: string): void {
  for (const dir of ['a', 'b']) {
    mkdirSync(join(root, dir), { recursive: true });
    for (let i = 0; i < FILES_PER_DIR; i++) {
      const name = dir === 'b' && i === 0 ? 'f000-blocks' : `f${String(i).padStart(3, '0')}`;
      writeFileSync(join(root, dir, name), randomBytesFrom(`${dir}${i}`, FILE_BYTES));
    }
  }
}

/** `vigil backup` with one worker, stopped by `signal` once its worker blocks; resolves with the exit and stderr. */
function interruptedBackup(src: string, repo: string, signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [OBSERVED_CLI, 'backup', src, '--to', repo, '-j', '1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && stderr.includes('READING\n')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, got) => resolve({ code, signal: got, stderr }));
  });
}

describe('vigil backup resumes an interrupted run', () => {
  let dir: { path: string; cleanup: () => void };
  let src: string;
  before(() => {
    dir = tempDir('vigil-resume-');
    src = join(dir.path, 'src');
    makeTree(src);
  });
  after(() => dir.cleanup());

  it('after kill -9 half-way, the next run stores only what was not stored, and restores byte for byte', async () => {
    const repoPath = join(dir.path, 'killed');
    const killed = await interruptedBackup(src, repoPath, 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);

    const next = await vigil(['backup', src, '--to', repoPath, '--json']);
    assert.equal(next.code, 0, next.stderr);
    const { snapshot, resumed } = JSON.parse(next.stdout.toString()) as {
      snapshot: { stats: { totalBytes: number; storedBytes: number } };
      resumed: { packs: number; blobs: number; bytes: number };
    };
    const total = snapshot.stats.totalBytes;
    assert.equal(total, 2 * FILES_PER_DIR * FILE_BYTES);
    // A full backup stores every byte (the data does not compress); this one far fewer.
    assert.ok(resumed.packs >= 1 && resumed.blobs >= 128, `resumed ${resumed.blobs} chunks`);
    assert.ok(
      snapshot.stats.storedBytes <= total - 128 * FILE_BYTES,
      `stored ${snapshot.stats.storedBytes} of ${total}`,
    );
    assert.ok(snapshot.stats.storedBytes + resumed.bytes >= total, 'what was resumed and stored holds it all');
    assert.match(next.stderr, /vigil: resumed: \d+ chunks and trees/);

    const repo = await Repository.open(repoPath, { password: async () => assert.fail('no password needed') });
    assert.equal((await listSnapshots(repo)).snapshots.length, 1);
    const report = await verifyRepository({ repo, codec: createBlobCodec(await loadZstd()), readData: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.unlistedPacks, 0);
    const out = join(dir.path, 'out');
    const restored = await vigil(['restore', repoPath, 'latest', out]);
    assert.equal(restored.code, 0, restored.stderr);
    execFileSync('diff', ['-r', src, join(out, src)]);
  });

  it('Ctrl-C says in one line that nothing was committed and the next run resumes, and exits 130', async () => {
    const repoPath = join(dir.path, 'interrupted');
    const interrupted = await interruptedBackup(src, repoPath, 'SIGINT');
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const said = interrupted.stderr.split('\n').filter((line) => line.startsWith('vigil: interrupted'));
    assert.deepEqual(said, [
      'vigil: interrupted: nothing was committed; the data already stored stays, and the next backup resumes from it',
    ]);
    assert.equal(existsSync(join(repoPath, 'lock')), false, 'no lock of the old kind either');
    assert.deepEqual(readdirSync(join(repoPath, 'locks')), [], 'the lock is released');
    assert.deepEqual(readdirSync(join(repoPath, 'snapshots')), []);
  });
});
