/**
 * The edge cases of issue 6, one test each: unreadable files and directories, special
 * files, symlinks and loops, hard links, names that are not UTF-8, files over 4 GiB, empty
 * files, and files that change while they are read. All of them run twice: with the native
 * batch reader the workers use when it is built (edge-cases-native.test.ts), and with the
 * JavaScript reader they fall back to (VIGIL_NATIVE=0, edge-cases-js.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { INVALID_UTF8_NAME } from './fixtures.js';
import { lines, type RunOptions, run, vigil as runVigil, tempDir } from './helpers.js';

/** The suite, for one reader (each runs from its own test file: two under one file's time limit was tight). */
export function describeEdgeCases(reader: {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Where the sparse file over 4 GiB is made (default: the test's folder on disk). A reader
   * that cannot seek past holes reads them, and on ext4 every page of a hole read costs a
   * zeroed page-cache page: 18 s of system time, against 2 s on tmpfs, where holes read as
   * the shared zero page. What that reader is tested for (sizes past 2^32, the exact hash) is
   * the same on either file system.
   */
  readonly sparseParent?: string | undefined;
}): void {
  describe(`vigil hash edge cases (${reader.name})`, () => {
    const vigil = (args: readonly string[], options: RunOptions = {}) =>
      runVigil(args, { ...options, env: { ...reader.env, ...options.env } });
    let dir: { path: string; cleanup: () => void };
    const at = (...names: string[]) => join(dir.path, ...names);
    // The test entry's workers log each path they read, and grow files named "*grows"
    // between their read and second fstat (test/support/observed-reader.mjs).
    const observed = () => ({ observed: true, env: { VIGIL_TEST_READ_LOG: at('reads.log') } });

    before(() => {
      dir = tempDir();
    });
    after(() => dir.cleanup());

    it('reports an unreadable file and directory on stderr, hashes the rest, and exits 1', async () => {
      const tree = at('perm');
      mkdirSync(join(tree, 'locked'), { recursive: true });
      writeFileSync(join(tree, 'locked', 'inside'), 'hidden\n');
      writeFileSync(join(tree, 'open'), 'open\n');
      writeFileSync(join(tree, 'secret'), 'secret\n');
      chmodSync(join(tree, 'secret'), 0o000);
      chmodSync(join(tree, 'locked'), 0o000);
      const result = await vigil(['hash', '-a', 'sha256', 'perm'], { cwd: dir.path, unprivileged: true });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /vigil: perm\/secret: Permission denied/);
      assert.match(result.stderr, /vigil: perm\/locked: Permission denied/);
      assert.deepEqual(lines(result.stdout), [
        `${execFileSync('sha256sum', ['perm/open'], { cwd: dir.path }).toString().trim()}`,
      ]);
    });

    it('never opens FIFOs, sockets or devices: they are reported as skipped and the run succeeds', async () => {
      const tree = at('special');
      mkdirSync(tree);
      writeFileSync(join(tree, 'plain'), 'plain\n');
      execFileSync('mkfifo', [join(tree, 'fifo')]);
      execFileSync('mknod', [join(tree, 'zero'), 'c', '1', '5']); // like /dev/zero: reading it never ends
      const server: Server = createServer();
      await new Promise<void>((resolve) => server.listen(join(tree, 'socket'), resolve));
      try {
        const result = await vigil(['hash', 'special'], { cwd: dir.path });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(lines(result.stdout).length, 1);
        assert.match(result.stderr, /special\/fifo: skipped fifo/);
        assert.match(result.stderr, /special\/socket: skipped socket/);
        assert.match(result.stderr, /special\/zero: skipped device/);
        const quiet = await vigil(['hash', '--quiet', 'special'], { cwd: dir.path });
        assert.equal(quiet.stderr, '');
        // A device named on the command line is read as sha256sum reads it (issue 17); one
        // listed in a manifest is not opened.
        const operand = await vigil(['hash', '-a', 'md5', '/dev/null'], { cwd: dir.path });
        assert.equal(operand.code, 0, operand.stderr);
        assert.equal(operand.stdout.toString(), 'd41d8cd98f00b204e9800998ecf8427e  /dev/null\n');
        const checked = await vigil(['hash', '-a', 'sha256', '-c', '-'], {
          cwd: dir.path,
          input: `${'0'.repeat(64)}  /dev/zero\n`,
        });
        assert.equal(checked.stdout.toString(), '/dev/zero: FAILED open or read\n');
        assert.equal(checked.code, 1);
      } finally {
        server.close();
      }
    });

    it('reports symlinks without --follow, hashes their targets with it, and ends symlink loops', async () => {
      const tree = at('links');
      mkdirSync(join(tree, 'sub', 'deeper'), { recursive: true });
      writeFileSync(join(tree, 'target'), 'target\n');
      writeFileSync(join(tree, 'sub', 'file'), 'file\n');
      symlinkSync('target', join(tree, 'to-file'));
      symlinkSync('sub', join(tree, 'alias'));
      symlinkSync('..', join(tree, 'sub', 'deeper', 'up')); // a loop once followed
      symlinkSync('self', join(tree, 'self')); // a link to itself
      symlinkSync('nowhere', join(tree, 'dangling'));
      const plain = await vigil(['hash', '-a', 'sha256', 'links'], { cwd: dir.path });
      assert.equal(plain.code, 0, plain.stderr);
      assert.deepEqual(
        lines(plain.stdout).map((l) => l.slice(66)),
        ['links/sub/file', 'links/target'],
      );
      // Skipped symlinks are counted in one line; --verbose names each (issue 17).
      assert.match(
        plain.stderr,
        /vigil: skipped 5 symbolic links \(not followed; --follow hashes targets\); --verbose lists them\n/,
      );
      assert.doesNotMatch(plain.stderr, /to-file/);
      const verbose = await vigil(['hash', '-a', 'sha256', '--verbose', 'links'], { cwd: dir.path });
      assert.match(verbose.stderr, /links\/to-file: skipped symlink/);
      assert.match(verbose.stderr, /links\/sub\/deeper\/up: skipped symlink/);
      assert.doesNotMatch(verbose.stderr, /symbolic links/);

      const followed = await vigil(['hash', '-a', 'sha256', '--follow', 'links'], { cwd: dir.path });
      assert.equal(followed.code, 0, followed.stderr);
      // alias -> sub is walked (it is not an ancestor); deeper/up -> .. leads back to a directory being walked.
      assert.deepEqual(
        lines(followed.stdout).map((l) => l.slice(66)),
        ['links/alias/file', 'links/sub/file', 'links/target', 'links/to-file'],
      );
      assert.match(followed.stderr, /links\/sub\/deeper\/up: skipped symlink loop/);
      assert.match(followed.stderr, /links\/alias\/deeper\/up: skipped symlink loop/);
      assert.match(followed.stderr, /links\/self: skipped symlink loop/);
      assert.match(followed.stderr, /links\/dangling: skipped dangling symlink/);
    });

    it('reads an inode with several hard links once, and prints every name with its hash', async () => {
      const tree = at('hard');
      mkdirSync(join(tree, 'sub'), { recursive: true });
      writeFileSync(join(tree, 'h1'), 'linked content\n');
      linkSync(join(tree, 'h1'), join(tree, 'h2'));
      linkSync(join(tree, 'h1'), join(tree, 'sub', 'h3'));
      writeFileSync(join(tree, 'single'), 'single\n');
      writeFileSync(at('reads.log'), '');
      const result = await vigil(['hash', '-a', 'sha256', 'hard'], { cwd: dir.path, ...observed() });
      assert.equal(result.code, 0, result.stderr);
      const expected = execFileSync('sha256sum', ['hard/h1', 'hard/h2', 'hard/single', 'hard/sub/h3'], {
        cwd: dir.path,
      });
      assert.equal(result.stdout.toString(), expected.toString());
      const reads = readFileSync(at('reads.log'), 'latin1').trim().split('\n').sort();
      assert.equal(reads.filter((p) => /h[123]$/.test(p)).length, 1, `one read of the linked inode, got ${reads}`);
      assert.ok(reads.includes(at('hard', 'single')));
    });

    it('keeps a name that is not UTF-8 byte for byte through hash and --check (and sha256sum -c)', async () => {
      const tree = at('bytes');
      mkdirSync(tree);
      writeFileSync(Buffer.concat([Buffer.from(`${tree}/`), INVALID_UTF8_NAME]), 'bytes\n');
      const written = await vigil(['hash', '-a', 'sha256', 'bytes'], { cwd: dir.path });
      assert.ok(
        written.stdout.includes(Buffer.concat([Buffer.from('  bytes/'), INVALID_UTF8_NAME, Buffer.from('\n')])),
      );
      const ours = await vigil(['hash', '-a', 'sha256', '-c', '-'], { cwd: dir.path, input: written.stdout });
      assert.equal(ours.code, 0, ours.stderr);
      assert.deepEqual(ours.stdout, Buffer.concat([Buffer.from('bytes/'), INVALID_UTF8_NAME, Buffer.from(': OK\n')]));
      const theirs = await run('sha256sum', ['-c', '-'], { cwd: dir.path, input: written.stdout });
      assert.equal(theirs.code, 0, theirs.stderr);
    });

    it('hashes a sparse file over 4 GiB as BLAKE3 hashes its bytes, with its exact size', async () => {
      const place = reader.sparseParent === undefined ? undefined : tempDir('vigil-sparse-', reader.sparseParent);
      const tree = join(place?.path ?? dir.path, 'sparse');
      let ours: Awaited<ReturnType<typeof vigil>>;
      try {
        mkdirSync(tree);
        const fd = openSync(join(tree, 'over-4-gib'), 'w');
        writeSync(fd, 'the end', 2 ** 32 + 10);
        closeSync(fd);
        ours = await vigil(['hash', '--ndjson', 'sparse'], { cwd: join(tree, '..') });
      } finally {
        place?.cleanup();
      }
      assert.equal(ours.code, 0, ours.stderr);
      const record = JSON.parse(lines(ours.stdout)[0] as string);
      assert.equal(record.size, 2 ** 32 + 17);
      // Its bytes, hashed by another BLAKE3 from memory: b3sum would map the file, and every
      // page of its holes would cost a zeroed page-cache page (about 18 s of system time).
      const expected = new Blake3Hasher();
      const zeros = Buffer.alloc(1 << 20);
      for (let i = 0; i < 2 ** 12; i++) expected.update(zeros);
      expected.update(Buffer.concat([Buffer.alloc(10), Buffer.from('the end')]));
      assert.equal(record.hash, expected.digest('hex'));
    });

    it('hashes empty files as sha256sum and b3sum do', async () => {
      const tree = at('empty');
      mkdirSync(tree);
      writeFileSync(join(tree, 'nothing'), '');
      const sha = await vigil(['hash', '-a', 'sha256', 'empty'], { cwd: dir.path });
      assert.equal(sha.stdout.toString(), execFileSync('sha256sum', ['empty/nothing'], { cwd: dir.path }).toString());
      const b3 = await vigil(['hash', 'empty'], { cwd: dir.path });
      assert.equal(b3.stdout.toString(), execFileSync('b3sum', ['empty/nothing'], { cwd: dir.path }).toString());
    });

    it('reports a file that changed while it was read, never printing its hash, and exits 1', async () => {
      const tree = at('moving');
      mkdirSync(tree);
      writeFileSync(join(tree, 'grows'), 'before\n');
      writeFileSync(join(tree, 'still'), 'still\n');
      writeFileSync(at('reads.log'), '');
      for (const order of [[], ['--unordered']]) {
        const result = await vigil(['hash', ...order, 'moving'], { cwd: dir.path, ...observed() });
        assert.equal(result.code, 1);
        assert.match(result.stderr, /moving\/grows: changed while being read/);
        assert.deepEqual(
          lines(result.stdout).map((l) => l.slice(66)),
          ['moving/still'],
        );
      }
    });

    it('excludes with --exclude and nested .vigilignore files, with gitignore semantics', async () => {
      const tree = at('ignored');
      mkdirSync(join(tree, 'build', 'out'), { recursive: true });
      mkdirSync(join(tree, 'src', 'gen'), { recursive: true });
      for (const file of [
        'keep.c',
        'debug.log',
        'build/out/a.o',
        'src/main.c',
        'src/x.tmp',
        'src/gen/g.c',
        'src/important.tmp',
      ]) {
        writeFileSync(join(tree, file), `${file}\n`);
      }
      writeFileSync(join(tree, '.vigilignore'), 'build/\n*.log\n');
      writeFileSync(join(tree, 'src', '.vigilignore'), '*.tmp\n!important.tmp\n/gen\n');
      const result = await vigil(['hash', '--exclude', 'keep.*', 'ignored'], { cwd: dir.path });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        lines(result.stdout).map((l) => l.slice(66)),
        ['ignored/.vigilignore', 'ignored/src/.vigilignore', 'ignored/src/important.tmp', 'ignored/src/main.c'],
      );
    });

    it('--one-file-system does not descend into another file system', async () => {
      const tree = at('fs');
      mkdirSync(tree);
      writeFileSync(join(tree, 'here'), 'here\n');
      symlinkSync('/proc/self/fdinfo', join(tree, 'elsewhere'));
      const result = await vigil(['hash', '--follow', '--one-file-system', 'fs'], { cwd: dir.path });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        lines(result.stdout).map((l) => l.slice(66)),
        ['fs/here'],
      );
      assert.match(result.stderr, /fs\/elsewhere: skipped other file system/);
    });
  });
}
