/**
 * `vigil hash` as a drop-in for sha256sum, md5sum and b3sum (issue 17): each row runs vigil
 * and the real tool on the same input, in the same directory, and wants the same stdout
 * bytes and exit code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, tempDir, vigil } from './helpers.js';

interface Row {
  readonly title: string;
  readonly vigil: readonly string[];
  readonly tool: string;
  readonly args: readonly string[];
  /** Standard input for both (a function: made once the fixtures exist). */
  readonly input?: string | (() => Buffer);
}

const CR_NAME = 'tail\r';

/** A row in which vigil, told `-a sha256`, takes exactly sha256sum's arguments: most rows are this. */
function likeSha256sum(title: string, args: readonly string[], input?: Row['input']): Row {
  return { title, vigil: ['-a', 'sha256', ...args], tool: 'sha256sum', args, input };
}

/** A row in which vigil takes exactly b3sum's arguments (BLAKE3 is vigil's default). */
function likeB3sum(title: string, args: readonly string[], input?: Row['input']): Row {
  return { title, vigil: args, tool: 'b3sum', args, input };
}

describe('vigil hash: a drop-in for sha256sum, md5sum and b3sum', () => {
  let dir: { path: string; cleanup: () => void };
  const sha = (name: string) => execFileSync('sha256sum', [name], { cwd: dir.path }).toString().slice(0, 64);
  const b3 = (name: string) => execFileSync('b3sum', [name], { cwd: dir.path }).toString().slice(0, 64);
  const manifest = (name: string, text: string) => writeFileSync(join(dir.path, name), text);

  before(() => {
    dir = tempDir();
    writeFileSync(join(dir.path, 'good'), 'good\n');
    writeFileSync(join(dir.path, 'bad'), 'bad\n');
    writeFileSync(join(dir.path, 'star'), 'star\n');
    writeFileSync(join(dir.path, CR_NAME), 'carriage return\n');
    writeFileSync(join(dir.path, 'new\nline'), 'newline\n');
    execFileSync('mkfifo', [join(dir.path, 'fifo')]);
    const [good, bad] = [sha('good'), sha('bad')];
    const wrong = '0'.repeat(64);
    manifest('SUMS', `${good}  good\n${wrong}  bad\n${good}  gone\njunk\n`);
    manifest('OK_SUMS', `${good}  good\n${bad}  bad\n`);
    manifest('MISSING', `${good}  good\n${good}  gone\n`);
    manifest('ONE_SPACE', `${good} good\n${sha('star')} *star\n${bad}\tbad\n`);
    manifest('STANDARD_THEN_ONE', `${good}  good\n${bad} bad\n`);
    manifest('STAR', `${sha('star')} *star\n`);
    manifest('BLANKS', `${good}  good\n\n   \n  # not a comment\n# a comment\n`);
    manifest('CRLF', `${good}  good\r\n${bad}  bad\r\n`);
    manifest('MD5', execFileSync('md5sum', ['good', 'bad'], { cwd: dir.path }).toString());
    manifest('B3', `${b3('good')}  good\n${b3('bad')}  bad\n`);
    manifest('B3_FIRST_MISSING', `${b3('good')}  gone\n${b3('good')}  good\n${b3('bad')}  bad\n`);
    manifest('B2', execFileSync('b2sum', ['good', 'bad'], { cwd: dir.path }).toString());
    manifest('SHA512', execFileSync('sha512sum', ['good', 'bad'], { cwd: dir.path }).toString());
    manifest('OPENSSL', `SHA256(good)= ${good}\nSHA256(bad)= ${wrong}\n`);
    manifest('SHA_FIRST_MISSING', `${good}  gone\n${good}  good\n${wrong}  bad\n`);
    manifest('GARBAGE_FIRST', `junk line\n${good}  good\n${bad}  bad\nmore junk\n`);
  });
  after(() => dir.cleanup());

  const rows: Row[] = [
    // 1. -c is a flag: the manifests are the operands; none reads stdin.
    likeSha256sum('-c --status SUMS', ['-c', '--status', 'SUMS']),
    likeSha256sum('-c --ignore-missing', ['-c', '--ignore-missing', 'MISSING']),
    likeSha256sum('-c with two manifests', ['-c', 'OK_SUMS', 'SUMS']),
    {
      title: '--check=FILE still works',
      vigil: ['-a', 'sha256', '--check=OK_SUMS'],
      tool: 'sha256sum',
      args: ['--check', 'OK_SUMS'],
    },
    likeSha256sum('-c without operand reads stdin', ['-c'], () => readFileSync(join(dir.path, 'OK_SUMS'))),
    // 2. --status, --warn and --quiet: the last one wins.
    likeSha256sum('--status --warn', ['-c', '--status', '--warn', 'SUMS']),
    likeSha256sum('--warn --status', ['-c', '--warn', '--status', 'SUMS']),
    likeSha256sum('--status --quiet', ['-c', '--status', '--quiet', 'SUMS']),
    likeSha256sum('--quiet --status', ['-c', '--quiet', '--status', 'SUMS']),
    // 3. Check-line forms.
    likeSha256sum('one-space form, tab', ['-c', 'ONE_SPACE']),
    likeSha256sum('one-space form under --strict', ['-c', '--strict', 'ONE_SPACE']),
    likeSha256sum('no mixing of standard and one-space', ['-c', 'STANDARD_THEN_ONE']),
    likeSha256sum('binary marker', ['-c', 'STAR']),
    likeSha256sum('blank and white-space lines', ['-c', 'BLANKS']),
    likeSha256sum('white-space line under --strict', ['-c', '--strict', 'BLANKS']),
    likeSha256sum('CRLF manifest', ['-c', 'CRLF']),
    { title: 'md5sum manifest without --algo', vigil: ['-c', 'MD5'], tool: 'md5sum', args: ['-c', 'MD5'] },
    // 4. A name ending in CR.
    likeSha256sum('a name ending in CR, sha256', [CR_NAME]),
    // 5. Standard input and named special files.
    likeSha256sum('- reads stdin', ['-'], 'piped\n'),
    likeB3sum('- reads stdin (BLAKE3)', ['-'], 'piped\n'),
    likeSha256sum('/dev/null', ['/dev/null', 'good']),
    likeSha256sum('files around stdin keep their order', ['good', '-', 'bad'], 'x'),
    // 6. Untagged 64-digit manifests without --algo.
    { title: 'a sha256sum manifest without --algo', vigil: ['-c', 'SUMS'], tool: 'sha256sum', args: ['-c', 'SUMS'] },
    { title: 'a b3sum manifest without --algo', vigil: ['-c', 'B3'], tool: 'b3sum', args: ['--check', 'B3'] },
    {
      title: 'the probe skips a missing first file (b3sum)',
      vigil: ['-c', 'B3_FIRST_MISSING'],
      tool: 'b3sum',
      args: ['--check', 'B3_FIRST_MISSING'],
    },
    {
      title: 'the probe skips a missing first file (sha256sum)',
      vigil: ['-c', 'SHA_FIRST_MISSING'],
      tool: 'sha256sum',
      args: ['-c', 'SHA_FIRST_MISSING'],
    },
    // 7. The other options and algorithms.
    likeSha256sum('-b', ['-b', 'good', 'bad']),
    { title: '-t', vigil: ['-a', 'md5', '-t', 'good'], tool: 'md5sum', args: ['-t', 'good'] },
    { title: '-b --tag', vigil: ['-a', 'md5', '-b', '--tag', 'good'], tool: 'md5sum', args: ['-b', '--tag', 'good'] },
    likeSha256sum('-z', ['-z', 'good', 'new\nline']),
    likeB3sum('--no-names', ['--no-names', 'good', 'bad']),
    likeB3sum('--raw', ['--raw', 'good']),
    likeB3sum('--raw --length 64', ['--raw', '--length', '64', 'good']),
    likeB3sum('--length 8', ['--length', '8', 'good', 'bad']),
    likeB3sum('-l 100', ['-l', '100', 'good', 'bad']),
    likeB3sum('--derive-key', ['--derive-key', 'vigil test 2026', 'good', 'bad']),
    likeB3sum('--keyed', ['--keyed', 'good', 'bad'], 'k'.repeat(32)),
    likeB3sum('--keyed -l 40', ['--keyed', '-l', '40', 'good'], 'k'.repeat(32)),
    { title: 'sha224', vigil: ['-a', 'sha224', 'good', 'bad'], tool: 'sha224sum', args: ['good', 'bad'] },
    { title: 'sha384 --tag', vigil: ['-a', 'sha384', '--tag', 'good'], tool: 'sha384sum', args: ['--tag', 'good'] },
    { title: 'blake2b', vigil: ['-a', 'blake2b', 'good', 'new\nline'], tool: 'b2sum', args: ['good', 'new\nline'] },
    { title: 'blake2b from stdin', vigil: ['-a', 'blake2b', '-'], tool: 'b2sum', args: ['-'], input: 'piped\n' },
    { title: 'sha384 from stdin', vigil: ['-a', 'sha384', '-'], tool: 'sha384sum', args: ['-'], input: 'piped\n' },
    { title: 'blake2b --tag', vigil: ['-a', 'blake2b', '--tag', 'good'], tool: 'b2sum', args: ['--tag', 'good'] },
    { title: 'a b2sum manifest without --algo', vigil: ['-c', 'B2'], tool: 'b2sum', args: ['-c', 'B2'] },
    {
      title: 'a sha512sum manifest without --algo',
      vigil: ['-c', 'SHA512'],
      tool: 'sha512sum',
      args: ['-c', 'SHA512'],
    },
    { title: 'OpenSSL-style lines', vigil: ['-c', 'OPENSSL'], tool: 'sha256sum', args: ['-c', 'OPENSSL'] },
    // A leading line that is no checksum line does not decide the form of the lines after it.
    likeSha256sum('a garbage first line', ['-c', '-w', 'GARBAGE_FIRST']),
    {
      title: 'a garbage first line, without --algo',
      vigil: ['-c', '--strict', 'GARBAGE_FIRST'],
      tool: 'sha256sum',
      args: ['-c', '--strict', 'GARBAGE_FIRST'],
    },
  ];

  for (const row of rows) {
    it(`${row.title}: vigil hash ${row.vigil.join(' ')} = ${row.tool} ${row.args.join(' ')}`, async () => {
      const input = typeof row.input === 'function' ? row.input() : row.input;
      const ours = await vigil(['hash', ...row.vigil], { cwd: dir.path, input });
      const theirs = await run(row.tool, row.args, { cwd: dir.path, input });
      assert.deepEqual(ours.stdout.toString('latin1'), theirs.stdout.toString('latin1'), ours.stderr);
      assert.equal(ours.code, theirs.code, `exit code; vigil said: ${ours.stderr}`);
    });
  }

  it('reads what openssl dgst writes (SHA2-256, SHA3-256, BLAKE2B-512), and hashes SHA3 as openssl does', async () => {
    for (const digest of ['-sha256', '-sha3-256', '-sha3-512', '-blake2b512', '-md5']) {
      const written = await run('openssl', ['dgst', digest, 'good', 'bad'], { cwd: dir.path });
      assert.equal(written.code, 0, written.stderr);
      const ours = await vigil(['hash', '-c', '-'], { cwd: dir.path, input: written.stdout });
      assert.equal(ours.stdout.toString(), 'good: OK\nbad: OK\n', `${digest}: ${ours.stderr}`);
      assert.equal(ours.code, 0);
    }
    const sha3 = await vigil(['hash', '-a', 'sha3-256', 'good'], { cwd: dir.path });
    const openssl = await run('openssl', ['dgst', '-sha3-256', '-r', 'good'], { cwd: dir.path });
    assert.equal(sha3.stdout.toString(), openssl.stdout.toString().replace(' *', '  '));
  });

  it('refuses flags that shape hash lines under --check, and BLAKE3 modes with another algorithm (exit 2)', async () => {
    for (const args of [
      ['-c', '-b', 'SUMS'],
      ['-c', '-z', 'SUMS'],
      ['-c', '--no-names', 'SUMS'],
      ['-a', 'sha256', '--length', '8', 'good'],
      ['--keyed', '--derive-key', 'x', 'good'],
      ['--length', 'many', 'good'],
      ['--raw', 'good', 'bad'],
    ]) {
      const ours = await vigil(['hash', ...args], { cwd: dir.path, input: 'k'.repeat(32) });
      assert.equal(ours.code, 2, args.join(' '));
      assert.match(ours.stderr, /^vigil: .*(--|BLAKE3)/, args.join(' '));
    }
    const shortKey = await vigil(['hash', '--keyed', 'good'], { cwd: dir.path, input: 'short' });
    assert.equal(shortKey.code, 2);
    assert.match(shortKey.stderr, /exactly 32 raw bytes from stdin, and got 5/);
  });

  it('says which algorithm an untagged 64-digit manifest was checked with', async () => {
    const sums = await vigil(['hash', '-c', 'SUMS'], { cwd: dir.path });
    assert.match(sums.stderr, /SUMS: untagged 64-digit lines are SHA256 \(good matched\)/);
    const b3sums = await vigil(['hash', '-c', 'B3'], { cwd: dir.path });
    assert.match(b3sums.stderr, /B3: untagged 64-digit lines are BLAKE3 \(good matched\)/);
  });

  it('--warn names the algorithm the manifest turned out to use, as sha256sum names its own', async () => {
    const ours = await vigil(['hash', '-c', '-w', 'GARBAGE_FIRST'], { cwd: dir.path });
    const theirs = await run('sha256sum', ['-c', '-w', 'GARBAGE_FIRST'], { cwd: dir.path });
    const warnings = (stderr: string, tool: string) =>
      stderr
        .split('\n')
        .filter((line) => line.includes('improperly formatted'))
        .map((line) => line.replace(`${tool}: `, ''));
    assert.deepEqual(warnings(ours.stderr, 'vigil'), warnings(theirs.stderr, 'sha256sum'));
    assert.equal(warnings(ours.stderr, 'vigil').length, 3, ours.stderr); // two lines and the summary
  });

  it("checks vigil's own line for a name ending in CR (escaped as \\r, as b3sum 1.5+ writes it)", async () => {
    const written = await vigil(['hash', CR_NAME], { cwd: dir.path });
    assert.deepEqual(written.stdout.toString('latin1'), `\\${b3(CR_NAME)}  tail\\r\n`);
    const checked = await vigil(['hash', '-c', '-'], { cwd: dir.path, input: written.stdout });
    assert.equal(checked.stdout.toString('latin1'), '\\tail\\r: OK\n');
    assert.equal(checked.code, 0, checked.stderr);
    const sha = await vigil(['hash', '-a', 'sha256', CR_NAME], { cwd: dir.path });
    const shaChecked = await run('sha256sum', ['-c', '-'], { cwd: dir.path, input: sha.stdout });
    assert.equal(shaChecked.code, 0, shaChecked.stderr);
  });

  it('reads /dev/stdin when it is a pipe, as md5sum does', async () => {
    // Node.js gives a child a socket as stdin, which /dev/stdin cannot open: a shell makes the pipe.
    const cli = join(import.meta.dirname, '../dist/cli.js');
    const ours = await run('sh', ['-c', `printf 'piped\\n' | node ${cli} hash -a md5 /dev/stdin`], { cwd: dir.path });
    const theirs = await run('sh', ['-c', `printf 'piped\\n' | md5sum /dev/stdin`], { cwd: dir.path });
    assert.equal(ours.stdout.toString(), theirs.stdout.toString());
    assert.equal(ours.code, 0, ours.stderr);
  });

  it('reads a FIFO named on the command line', async () => {
    const writer = run('sh', ['-c', 'printf "through a fifo\\n" > fifo'], { cwd: dir.path });
    const ours = await vigil(['hash', '-a', 'sha256', 'fifo'], { cwd: dir.path });
    await writer;
    const expected = execFileSync('sha256sum', ['-'], { input: 'through a fifo\n' }).toString().replace('-', 'fifo');
    assert.equal(ours.stdout.toString(), expected);
    assert.equal(ours.code, 0, ours.stderr);
  });

  it('a socket named on the command line fails as sha256sum says (No such device or address, exit 1)', async () => {
    const server = createServer();
    server.listen(join(dir.path, 'sock'));
    await once(server, 'listening');
    try {
      const ours = await vigil(['hash', '-a', 'sha256', 'sock', 'good'], { cwd: dir.path });
      const theirs = await run('sha256sum', ['sock', 'good'], { cwd: dir.path });
      assert.equal(ours.stdout.toString(), theirs.stdout.toString());
      assert.equal(ours.code, theirs.code);
      assert.equal(ours.code, 1);
      assert.equal(ours.stderr.replace('vigil: ', ''), theirs.stderr.replace('sha256sum: ', ''));
    } finally {
      server.close();
      await once(server, 'close');
    }
  });

  it('reads /dev/stdin when it is a socket (what Node.js gives a child), where md5sum cannot', async () => {
    const ours = await vigil(['hash', '-a', 'md5', '/dev/stdin'], { cwd: dir.path, input: 'piped\n' });
    const theirs = execFileSync('md5sum', ['-'], { input: 'piped\n' }).toString().replace('-', '/dev/stdin');
    assert.equal(ours.stdout.toString(), theirs);
    assert.equal(ours.code, 0, ours.stderr);
  });

  it('says it hashes "." when stdin is a pipe and no operand is given', async () => {
    const sub = tempDir();
    try {
      writeFileSync(join(sub.path, 'f'), 'f\n');
      const ours = await vigil(['hash'], { cwd: sub.path, input: 'ignored\n' });
      assert.equal(ours.code, 0, ours.stderr);
      assert.match(ours.stderr, /no operand: hashing the tree under "\." \(to hash the pipe, pass "-"\)/);
      assert.equal(ours.stdout.toString().slice(64), '  f\n');
    } finally {
      sub.cleanup();
    }
  });
});
