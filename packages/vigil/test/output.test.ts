/** `vigil hash` prints exactly what sha256sum, b3sum and friends print, sorted by path. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { xxh3 } from '@node-rs/xxhash';
import { unescapeName } from '../src/checksums/escape.js';
import { makeBigFiles, makeManySmallFiles, makeNameTree } from './fixtures.js';
import { lines, run, tempDir, vigil } from './helpers.js';

/** What a coreutils-style tool prints for every file under `cwd`, as a sorted list of lines. */
async function peerLines(tool: string, cwd: string): Promise<string[]> {
  const result = await run('sh', ['-c', `find . -type f -printf '%P\\0' | xargs -0 ${tool} --`], { cwd });
  assert.equal(result.code, 0, result.stderr);
  return lines(result.stdout).sort();
}

/**
 * A b3sum line as b3sum 1.5+ writes it: Debian's b3sum 1.2 writes a CR in a name raw, the
 * newer ones (and vigil) escape it as `\r`, so that the line survives a CRLF-tolerant reader.
 */
function escapeCarriageReturn(line: string): string {
  if (!line.includes('\r')) return line;
  const escaped = line.replaceAll('\r', '\\r');
  return escaped.startsWith('\\') ? escaped : `\\${escaped}`;
}

/** The name in a checksum line, unescaped, as bytes. */
function nameOf(line: string): Buffer {
  const escaped = line.startsWith('\\');
  const name = Buffer.from(line.slice(escaped ? 1 : 0).replace(/^[0-9a-f]+ {2}/, ''), 'latin1');
  return escaped ? (unescapeName(name) as Buffer) : name;
}

function assertSortedByBytes(output: string[]): void {
  const names = output.map(nameOf);
  for (let i = 1; i < names.length; i++) {
    assert.ok(
      Buffer.compare(names[i - 1] as Buffer, names[i] as Buffer) < 0,
      `not in byte order: ${names[i - 1]} before ${names[i]}`,
    );
  }
}

describe('vigil hash output', () => {
  let tree: { path: string; cleanup: () => void };
  let b3Tree: { path: string; cleanup: () => void };

  before(() => {
    tree = tempDir();
    makeNameTree(tree.path, { invalidUtf8: true, carriageReturn: true });
    makeManySmallFiles(join(tree.path, 'many'), 600);
    makeBigFiles(join(tree.path, 'big'));
    // b3sum prints names that are not UTF-8 lossily, so its tree has none.
    b3Tree = tempDir();
    makeNameTree(b3Tree.path, { invalidUtf8: false, carriageReturn: true });
    makeManySmallFiles(join(b3Tree.path, 'many'), 300);
  });
  after(() => {
    tree.cleanup();
    b3Tree.cleanup();
  });

  for (const [algo, tool] of [
    ['sha256', 'sha256sum'],
    ['sha512', 'sha512sum'],
    ['sha1', 'sha1sum'],
    ['md5', 'md5sum'],
  ] as const) {
    it(`--algo ${algo} prints the lines ${tool} prints, sorted by path bytes`, async () => {
      const ours = await vigil(['hash', '--algo', algo], { cwd: tree.path });
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stderr, '');
      const output = lines(ours.stdout);
      assert.deepEqual([...output].sort(), await peerLines(tool, tree.path));
      assertSortedByBytes(output);
    });
  }

  it('blake3 (the default) prints the lines b3sum prints', async () => {
    const ours = await vigil(['hash', '.'], { cwd: b3Tree.path });
    assert.equal(ours.code, 0, ours.stderr);
    const output = lines(ours.stdout);
    const theirs = (await peerLines('b3sum', b3Tree.path)).map(escapeCarriageReturn).sort();
    assert.deepEqual([...output].sort(), theirs);
    assertSortedByBytes(output);
  });

  it('--tag prints the BSD-style lines sha256sum --tag prints', async () => {
    const ours = await vigil(['hash', '--algo', 'sha256', '--tag', 'a', 'back\\slash', 'new\nline'], {
      cwd: tree.path,
    });
    const theirs = await run('sha256sum', ['--tag', 'a/deep/er/leaf', 'a/x', 'back\\slash', 'new\nline'], {
      cwd: tree.path,
    });
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout.toString('latin1'), theirs.stdout.toString('latin1'));
  });

  it('prints a name that is not UTF-8 byte for byte', async () => {
    const ours = await vigil(['hash', '--algo', 'sha256'], { cwd: tree.path });
    const theirs = await peerLines('sha256sum', tree.path);
    const line = theirs.find((l) => l.includes('bad'));
    assert.ok(line, 'sha256sum listed the file');
    assert.ok(ours.stdout.includes(Buffer.from(`${line}\n`, 'latin1')));
  });

  it('--unordered prints the same lines in any order', async () => {
    const sorted = await vigil(['hash', '--algo', 'sha256'], { cwd: tree.path });
    const unordered = await vigil(['hash', '--algo', 'sha256', '--unordered', '--jobs', '2'], { cwd: tree.path });
    assert.equal(unordered.code, 0, unordered.stderr);
    assert.deepEqual(lines(unordered.stdout).sort(), lines(sorted.stdout).sort());
  });

  it('gives the same output whatever --jobs is', async () => {
    const one = await vigil(['hash', '--jobs', '1', 'many', 'big'], { cwd: tree.path });
    const three = await vigil(['hash', '--jobs', '3', 'many', 'big'], { cwd: tree.path });
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(one.stdout, three.stdout);
    assert.equal(lines(one.stdout).length, 600 + 43);
  });

  it('--algo xxh3 prints the canonical (big-endian) XXH3-64', async () => {
    const ours = await vigil(['hash', '--algo', 'xxh3', 'a.txt', 'empty'], { cwd: tree.path });
    const expected = ['a.txt', 'empty'].map(
      (name) =>
        `${xxh3
          .xxh64(readFileSync(join(tree.path, name)))
          .toString(16)
          .padStart(16, '0')}  ${name}`,
    );
    assert.deepEqual(lines(ours.stdout), expected);
  });

  it('--ndjson writes one object per file and a summary; pathBase64 carries names that are not UTF-8', async () => {
    const ours = await vigil(['hash', '--algo', 'sha256', '--ndjson'], { cwd: tree.path });
    assert.equal(ours.code, 0, ours.stderr);
    const records = lines(ours.stdout).map((l) => JSON.parse(l));
    const summary = records.pop();
    assert.equal(summary.type, 'summary');
    assert.equal(summary.files, records.length);
    assert.equal(summary.errors, 0);
    const odd = records.find((r) => r.pathBase64 !== undefined);
    assert.ok(odd);
    const bytes = readFileSync(Buffer.concat([Buffer.from(`${tree.path}/`), Buffer.from(odd.pathBase64, 'base64')]));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), odd.hash);
    const empty = records.find((r) => r.path === 'empty');
    assert.deepEqual(empty, {
      type: 'file',
      path: 'empty',
      hash: createHash('sha256').update('').digest('hex'),
      size: 0,
    });
  });

  it('--json writes one parseable document with entries and a summary', async () => {
    const ours = await vigil(['hash', '--json', 'many'], { cwd: tree.path });
    assert.equal(ours.code, 0, ours.stderr);
    const doc = JSON.parse(ours.stdout.toString('utf8'));
    assert.equal(doc.algorithm, 'blake3');
    assert.equal(doc.entries.length, 600);
    assert.equal(doc.summary.files, 600);
  });
});
