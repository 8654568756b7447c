/** compare.ts, table-driven: one baseline and one scan per case, and the changes expected. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Change, compareTrees, type Scanned } from '../src/baseline/compare.js';
import type { EntryState } from '../src/baseline/entry.js';

const T = 1_600_000_000_000_000_000n;
const digest = (text: string) => Buffer.from(text.padEnd(32, '.'));

function file(path: string, content: string, over: Partial<EntryState> = {}): EntryState {
  return {
    path: Buffer.from(path),
    type: 'file',
    size: BigInt(content.length),
    mode: 0o644,
    uid: 0,
    gid: 0,
    ino: 1n,
    nlink: 1,
    mtimeNs: T,
    ctimeNs: T,
    digest: digest(content),
    ...over,
  };
}
const dir = (path: string, over: Partial<EntryState> = {}): EntryState =>
  file(path, '', { type: 'dir', size: 4096n, digest: undefined, mode: 0o755, ...over });
const link = (path: string, target: string): EntryState =>
  file(path, '', { type: 'symlink', digest: undefined, mode: 0o777, target: Buffer.from(target) });
const found = (state: EntryState): Scanned => ({ kind: 'state', state });

/** A change as a short string: `kind path [details]`. */
function show(change: Change): string {
  const path = change.path.toString('latin1');
  switch (change.kind) {
    case 'moved':
      return `moved ${change.from.toString('latin1')} -> ${path}`;
    case 'metadata':
      return `metadata ${path} ${change.fields.join(',')}`;
    case 'unreadable':
      return `unreadable ${path} ${change.code}`;
    default:
      return `${change.kind} ${path}`;
  }
}

const cases: { name: string; baseline: EntryState[]; scan: Scanned[]; expected: string[] }[] = [
  {
    name: 'nothing changed',
    baseline: [file('a', 'A'), dir('d')],
    scan: [found(file('a', 'A')), found(dir('d'))],
    expected: [],
  },
  { name: 'added', baseline: [], scan: [found(file('new', 'N'))], expected: ['added new'] },
  { name: 'removed', baseline: [file('old', 'O')], scan: [], expected: ['removed old'] },
  {
    name: 'modified content',
    baseline: [file('a', 'A')],
    scan: [found(file('a', 'B', { mtimeNs: T + 1n }))],
    expected: ['modified a'],
  },
  {
    name: 'moved: same content under a new path, never removed plus added',
    baseline: [file('from', 'same')],
    scan: [found(file('to', 'same', { ino: 9n }))],
    expected: ['moved from -> to'],
  },
  {
    name: 'two moves of identical content pair one to one',
    baseline: [file('a1', 'same'), file('a2', 'same')],
    scan: [found(file('b1', 'same')), found(file('b2', 'same'))],
    expected: ['moved a1 -> b1', 'moved a2 -> b2'],
  },
  {
    name: 'empty files are not paired as moves',
    baseline: [file('e1', '')],
    scan: [found(file('e2', ''))],
    expected: ['added e2', 'removed e1'],
  },
  {
    name: 'mode',
    baseline: [file('a', 'A')],
    scan: [found(file('a', 'A', { mode: 0o600 }))],
    expected: ['metadata a mode'],
  },
  {
    name: 'owner',
    baseline: [file('a', 'A')],
    scan: [found(file('a', 'A', { uid: 65534 }))],
    expected: ['metadata a owner'],
  },
  {
    name: 'link target',
    baseline: [link('l', 'one')],
    scan: [found(link('l', 'two'))],
    expected: ['metadata l target'],
  },
  {
    name: 'a file replaced by a symlink of the same name',
    baseline: [file('x', 'X')],
    scan: [found(link('x', 'elsewhere'))],
    expected: ['metadata x mode,type'],
  },
  {
    name: 'a file replaced by a directory (keys x and x/ differ)',
    baseline: [file('x', 'X')],
    scan: [found(dir('x')), found(file('x/inner', 'I'))],
    expected: ['metadata x mode,type', 'added x/inner'],
  },
  {
    name: 'touched: mtime moved, content identical',
    baseline: [file('a', 'A')],
    scan: [found(file('a', 'A', { mtimeNs: T + 5n }))],
    expected: ['touched a'],
  },
  {
    name: 'a directory whose mtime and size moved is not reported',
    baseline: [dir('d')],
    scan: [found(dir('d', { mtimeNs: T + 5n, size: 8192n, nlink: 3 }))],
    expected: [],
  },
  {
    name: 'unreadable and unstable',
    baseline: [file('r', 'R'), file('u', 'U')],
    scan: [
      { kind: 'unreadable', path: Buffer.from('r'), code: 'EACCES', message: 'Permission denied' },
      { kind: 'unstable', path: Buffer.from('u') },
    ],
    expected: ['unreadable r EACCES', 'unstable u'],
  },
  {
    name: 'recorded without a hash (unreadable then), readable now: modified',
    baseline: [file('r', 'R', { digest: undefined })],
    scan: [found(file('r', 'R'))],
    expected: ['modified r'],
  },
  {
    name: 'content and mode both changed',
    baseline: [file('a', 'A')],
    scan: [found(file('a', 'B', { mode: 0o755 }))],
    expected: ['modified a', 'metadata a mode'],
  },
];

describe('compare', () => {
  for (const { name, baseline, scan, expected } of cases) {
    it(name, () => {
      assert.deepEqual(compareTrees(baseline, scan).map(show), expected);
    });
  }
});
