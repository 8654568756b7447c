/** Pure pieces, tested directly: manifest parsing and escaping, ordered release, hard-link bookkeeping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeName, needsEscape, unescapeName } from '../src/checksums/escape.js';
import { formatChecksumLine } from '../src/checksums/format.js';
import { parseChecksumLine } from '../src/checksums/parse.js';
import { HardLinkRegistry } from '../src/scan/hard-links.js';
import { OrderedRelease } from '../src/scan/ordered-release.js';

const SHA = 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb';

describe('manifest lines', () => {
  it('escapes backslash, newline and CR and round-trips', () => {
    const name = Buffer.from('a\\b\nc\rd');
    assert.equal(escapeName(name).toString(), 'a\\\\b\\nc\\rd');
    assert.deepEqual(unescapeName(escapeName(name)), name);
    assert.equal(needsEscape(Buffer.from('plain')), false);
    assert.equal(needsEscape(Buffer.from('cr\r')), true, 'CR is escaped, as b3sum 1.5+ and coreutils do');
    assert.equal(unescapeName(Buffer.from('bad\\x')), undefined);
  });

  it('parses the forms sha256sum and b3sum write and read', () => {
    const cases: [string, string | undefined][] = [
      [`${SHA}  name`, 'name'],
      [`${SHA} *name`, 'name'],
      [`${SHA} name`, 'name'],
      [`  ${SHA}  lead`, 'lead'],
      [`${SHA.toUpperCase()}  upper`, 'upper'],
      [`\\${SHA}  a\\\\b\\nc`, 'a\\b\nc'],
      [`SHA256 (tag ) = x) = ${SHA}`, 'tag ) = x'],
      [`${SHA}  crlf\r`, 'crlf'],
      [`${SHA.slice(1)}  short`, undefined],
      ['garbage', undefined],
      [`${SHA}  `, ' '], // one character after the space: coreutils takes the one-space form
    ];
    for (const [line, name] of cases) {
      const parsed = parseChecksumLine(Buffer.from(line, 'latin1'), 'sha256', false);
      if (name === undefined) assert.equal(parsed.kind, 'malformed', line);
      else {
        assert.equal(parsed.kind, 'entry', line);
        if (parsed.kind === 'entry') {
          assert.equal(parsed.name.toString('latin1'), name);
          assert.equal(parsed.expected, SHA);
        }
      }
    }
    assert.equal(parseChecksumLine(Buffer.from('# comment'), 'sha256', false).kind, 'ignored');
    assert.equal(parseChecksumLine(Buffer.from(''), 'sha256', false).kind, 'ignored');
  });

  it('picks the algorithm from a tag, or from a digest length only one algorithm has', () => {
    const md5 = parseChecksumLine(Buffer.from(`MD5 (x) = ${'a'.repeat(32)}`), 'blake3', true);
    assert.equal(md5.kind === 'entry' && md5.algorithm, 'md5');
    const sha1 = parseChecksumLine(Buffer.from(`${'b'.repeat(40)}  x`), 'blake3', true);
    assert.equal(sha1.kind === 'entry' && sha1.algorithm, 'sha1');
    const given = parseChecksumLine(Buffer.from(`${'b'.repeat(40)}  x`), 'sha256', false);
    assert.equal(given.kind, 'malformed');
  });

  it('formats what it parses', () => {
    const name = Buffer.from('we\\ird\nname');
    const line = formatChecksumLine('sha256', 'gnu', SHA, name);
    const parsed = parseChecksumLine(line.subarray(0, -1), 'sha256', false);
    assert.ok(parsed.kind === 'entry' && parsed.name.equals(name));
    const tag = formatChecksumLine('sha512', 'tag', 'c'.repeat(128), name);
    const parsedTag = parseChecksumLine(tag.subarray(0, -1), 'blake3', true);
    assert.ok(parsedTag.kind === 'entry' && parsedTag.name.equals(name) && parsedTag.algorithm === 'sha512');
  });
});

describe('OrderedRelease', () => {
  it('releases in sequence order and holds only what arrived early', () => {
    const out: number[] = [];
    const release = new OrderedRelease<number>((n) => out.push(n));
    release.put(2, 2);
    release.put(1, 1);
    assert.deepEqual(out, []);
    assert.equal(release.held, 2);
    release.put(0, 0);
    assert.deepEqual(out, [0, 1, 2]);
    assert.equal(release.held, 0);
  });
});

describe('HardLinkRegistry', () => {
  const name = (seq: number) => ({ seq, path: Buffer.from(`p${seq}`) });

  it('chooses one reader per inode, resolves the others, and forgets the inode when all links were seen', () => {
    const links = new HardLinkRegistry();
    assert.equal(links.meet('1:1', 3, name(0)).action, 'read');
    assert.equal(links.meet('1:1', 3, name(1)).action, 'wait');
    const settled = links.settle('1:1', { kind: 'hashed', digest: Buffer.from('d'), size: 1 });
    assert.deepEqual(
      settled.resolved.map((n) => n.seq),
      [1],
    );
    assert.equal(links.meet('1:1', 3, name(2)).action, 'done');
    assert.equal(links.size, 0);
  });

  it('hands reading to the next name when the reader failed', () => {
    const links = new HardLinkRegistry();
    links.meet('1:2', 2, name(0));
    links.meet('1:2', 2, name(1));
    const settled = links.settle('1:2', { kind: 'failed', code: 'EACCES', message: 'Permission denied' });
    assert.equal(settled.nextReader?.seq, 1);
    links.settle('1:2', { kind: 'hashed', digest: Buffer.from('d'), size: 1 });
    assert.equal(links.size, 0);
  });
});
