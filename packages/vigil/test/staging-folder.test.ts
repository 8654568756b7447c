/**
 * The local staging folder of remote storages (src/storage/staging-folder.ts): made private,
 * shared by the storages of a process and removed by the last to close, refused when someone
 * else's folder sits at its name, and the folders of dead processes swept by the next run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StagingFolder, sweepStaleStagingFolders } from '../src/storage/staging-folder.js';
import { tempDir } from './helpers.js';

/** The pid of a process that has ended (and been reaped): no process has it now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid as number;
}

describe('the staging folder of remote storages', () => {
  const dir = tempDir('vigil-staging-');
  after(() => dir.cleanup());
  let n = 0;
  const parent = () => {
    const path = join(dir.path, `case-${n++}`);
    mkdirSync(path);
    return path;
  };

  it('is made private when first asked for, and removed when the last storage using it closes', () => {
    const where = parent();
    const a = new StagingFolder('s3', where);
    const b = new StagingFolder('s3', where);
    assert.equal(a.path, join(where, `vigil-s3-${process.pid}`));
    assert.equal(existsSync(a.path), false, 'nothing is made before a pack needs it');
    assert.equal(a.ensure(), a.path);
    assert.equal(b.ensure(), a.path);
    assert.equal(lstatSync(a.path).mode & 0o777, 0o700);
    writeFileSync(join(a.path, 'pack.tmp'), 'staged');
    a.release();
    a.release();
    assert.equal(existsSync(a.path), true, 'the other storage still stages there');
    b.release();
    assert.equal(existsSync(a.path), false);
  });

  it('refuses a folder at its name that others can write to, or a link, saying what to do', () => {
    const where = parent();
    const open = join(where, `vigil-sftp-${process.pid}`);
    mkdirSync(open);
    chmodSync(open, 0o777);
    const folder = new StagingFolder('sftp', where);
    assert.throws(
      () => folder.ensure(),
      /staging folder .* is not a private folder of this user: remove it, or set TMPDIR/,
    );
    folder.release();
    const elsewhere = parent();
    const linked = new StagingFolder('s3', elsewhere);
    symlinkSync(where, join(elsewhere, `vigil-s3-${process.pid}`));
    assert.throws(() => linked.ensure(), /not a private folder of this user/);
  });

  it('sweeps the folders of processes that are gone, and only those', async () => {
    const where = parent();
    const dead = await deadPid();
    const gone = join(where, `vigil-sftp-${dead}`);
    mkdirSync(join(gone, 'deeper'), { recursive: true });
    writeFileSync(join(gone, 'deeper', 'pack.tmp'), 'left by a kill -9');
    const goneS3 = join(where, `vigil-s3-${dead}`);
    mkdirSync(goneS3);
    // The parent of this test process lives, and this process's own folder is in use.
    mkdirSync(join(where, `vigil-s3-${process.ppid}`));
    mkdirSync(join(where, `vigil-s3-${process.pid}`));
    // Not ours by name, or not a folder: left alone.
    mkdirSync(join(where, `vigil-other-${dead}`));
    writeFileSync(join(where, `vigil-sftp-${dead}0`), 'a file by such a name');
    assert.deepEqual(sweepStaleStagingFolders(where).sort(), [gone, goneS3].sort());
    assert.deepEqual(
      readdirSync(where).sort(),
      [`vigil-other-${dead}`, `vigil-s3-${process.pid}`, `vigil-s3-${process.ppid}`, `vigil-sftp-${dead}0`].sort(),
    );
  });
});
