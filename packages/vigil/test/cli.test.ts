/** The command line: help, exit codes for bad usage, and the progress bar only on a terminal. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeManySmallFiles } from './fixtures.js';
import { CLI, run, tempDir, vigil } from './helpers.js';

describe('vigil command line', () => {
  let dir: { path: string; cleanup: () => void };
  before(() => {
    dir = tempDir();
    for (let i = 0; i < 50; i++) writeFileSync(join(dir.path, `f${i}`), `${i}\n`);
  });
  after(() => dir.cleanup());

  it('--help lists exit codes 0, 1 and 2, and exits 0', async () => {
    for (const args of [['--help'], ['hash', '--help']]) {
      const result = await vigil(args);
      assert.equal(result.code, 0);
      const help = result.stdout.toString();
      assert.match(help, /Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 /);
    }
  });

  it('help and version printed to a reader that already went away exit 0, without an EPIPE trace', async () => {
    for (const args of [['--help'], ['hash', '--help'], ['check', '--help'], ['backup', '--help'], ['--version']]) {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Closed in the tick that spawned it, long before the child's Node has started: every
      // write of the child then meets a pipe with no reader (EPIPE; Node ignores SIGPIPE).
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = (await once(child, 'close')) as [number | null];
      assert.equal(stderr, '', `vigil ${args.join(' ')}`);
      assert.equal(code, 0, `vigil ${args.join(' ')}`);
    }
  });

  it("each command's --help lists only the exit codes it can return; the command list keeps its columns", async () => {
    const expected: Record<string, number[]> = {
      hash: [0, 1, 2],
      baseline: [0, 1, 2, 130],
      check: [0, 1, 2, 130],
      accept: [0, 1, 2, 130],
      status: [0, 2],
      backup: [0, 2, 3, 4, 5, 130],
      snapshots: [0, 2, 4, 5, 130],
      forget: [0, 1, 2, 4, 5, 130],
      verify: [0, 1, 2, 4, 5, 130],
      restore: [0, 1, 2, 4, 5, 130],
      unlock: [0, 2],
    };
    for (const [command, codes] of Object.entries(expected)) {
      const help = (await vigil([command, '--help'])).stdout.toString();
      const block = help.slice(help.indexOf('Exit codes:'));
      const listed = [...block.matchAll(/^ *(\d+) {2}/gm)].map((m) => Number(m[1]));
      assert.deepEqual(listed, codes, `vigil ${command} --help`);
    }
    const top = (await vigil(['--help'])).stdout.toString();
    const commands = top.slice(top.indexOf('Commands:\n') + 10, top.indexOf('\n\n', top.indexOf('Commands:')));
    for (const line of commands.split('\n')) assert.match(line, /^ {2}[a-z]+ .* {2}\S/, 'one line per command');
  });

  it('exits 2 on bad usage, naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['hash', '--bogus'], /unknown option '--bogus'/],
      [['hash', '--algo', 'crc32'], /Allowed choices are blake3/],
      [['hash', '--jobs', '0'], /--jobs must be a whole number/],
      [['hash', '--json', '--ndjson'], /--json and --ndjson exclude each other/],
      [['hash', '--strict'], /--strict is meaningful only with --check/],
      [['nope'], /unknown command 'nope'/],
    ];
    for (const [args, message] of cases) {
      const result = await vigil(args, { cwd: dir.path });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stdout.length, 0);
    }
  });

  it('exits 1 when an operand does not exist, still hashing the others', async () => {
    const result = await vigil(['hash', 'f1', 'missing', 'f2'], { cwd: dir.path });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /vigil: missing: No such file or directory/);
    assert.equal(result.stdout.toString().split('\n').filter(Boolean).length, 2);
  });

  it('shows no progress bar when stderr is not a terminal', async () => {
    const result = await vigil(['hash', '.'], { cwd: dir.path });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
  });

  it('shows a progress bar on a terminal, and not with --no-progress', async () => {
    // script(1) gives the child a pseudo-terminal; stdout goes to a file so only stderr is on it.
    const out = join(dir.path, 'out');
    const command = (extra: string) => `${process.execPath} ${CLI} hash ${extra} f* > ${out}`;
    const withBar = await run('script', ['-qec', command(''), '/dev/null'], { cwd: dir.path });
    assert.equal(withBar.code, 0, withBar.stderr);
    assert.match(withBar.stdout.toString(), /files \|/);
    const without = await run('script', ['-qec', command('--no-progress'), '/dev/null'], { cwd: dir.path });
    assert.doesNotMatch(without.stdout.toString(), /files \|/);
  });

  it('--quiet keeps the bar; its file count never passes the total; check counts bytes read', async () => {
    const tree = join(dir.path, 'tree');
    makeManySmallFiles(tree, 1200); // several batches, so files finish while the walk goes on
    const out = join(dir.path, 'out');
    const onTerminal = (args: string) =>
      run('script', ['-qec', `${process.execPath} ${CLI} ${args} > ${out}`, '/dev/null'], { cwd: dir.path });
    const quiet = await onTerminal(`hash -q ${tree}`);
    assert.equal(quiet.code, 0, quiet.stderr);
    const frames = [...quiet.stdout.toString().matchAll(/(\d+)\/(\d+) files \|/g)];
    assert.ok(frames.length > 0, '--quiet no longer hides the bar');
    for (const [frame, done, total] of frames) assert.ok(Number(done) <= Number(total), frame);
    assert.match(quiet.stdout.toString(), /1200\/1200 files/);

    const db = join(dir.path, 'baseline.db');
    assert.equal((await vigil(['baseline', '--db', db, tree])).code, 0);
    const checked = await onTerminal(`check --full --db ${db} ${tree}`);
    assert.equal(checked.code, 0, checked.stderr);
    const sizes = [...checked.stdout.toString().matchAll(/files \| ([\d.]+) (B|KiB|MiB) \|/g)];
    assert.ok(
      sizes.some(([, size]) => Number(size) > 0),
      `vigil check's bar shows the bytes it reads: ${sizes.map((m) => m[0])}`,
    );
  });

  it('backup shows its bar (with the new bytes) on a terminal, and not with --no-progress', async () => {
    const repo = join(dir.path, 'repo');
    const command = (extra: string) =>
      `${process.execPath} ${CLI} backup ${extra} --to ${repo} ${dir.path}/f1 > /dev/null`;
    const withBar = await run('script', ['-qec', command(''), '/dev/null'], { cwd: dir.path });
    assert.equal(withBar.code, 0, withBar.stderr);
    assert.match(withBar.stdout.toString(), /1\/1 files \| 2 B \(2 B new\) \|/);
    const without = await run('script', ['-qec', command('--no-progress'), '/dev/null'], { cwd: dir.path });
    assert.equal(without.code, 0, without.stderr);
    assert.doesNotMatch(without.stdout.toString(), /files \|/);
  });
});
