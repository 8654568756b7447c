/**
 * Executes a restore plan under TARGET: each record path '/a/b' becomes TARGET/a/b.
 *
 * - Never through a symlink: every directory on the way is lstat'ed (or made by us) before
 *   anything is written below it; a symlink found there fails that entry.
 * - Files are written to a temp name beside their place, hashed while written and compared
 *   with the record, given their mode and mtime, then renamed into place: a restored name
 *   is never half-written, and a damaged object never lands as if good.
 * - An existing file or link is left alone (the entry fails) unless `overwrite`.
 * - Directories get their mode and mtime last, deepest first, after their contents.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  futimesSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import type { Repository } from './repository.js';
import type { SnapshotEntry } from './snapshot-record.js';

export interface RestoreOutcome {
  readonly restored: number;
  readonly failed: number;
}

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export function executeRestore(
  repo: Repository,
  plan: readonly SnapshotEntry[],
  target: string,
  overwrite: boolean,
  report: (line: string) => void,
): RestoreOutcome {
  const root = Buffer.from(target.replace(/\/+$/, '') || '/');
  mkdirSync(root, { recursive: true });
  const safeDirs = new Set<string>([root.toString('latin1')]);
  const dirTimes: { path: Buffer; entry: SnapshotEntry }[] = [];
  const buffer = Buffer.allocUnsafeSlow(1024 * 1024);
  const hasher = new Blake3Hasher();
  let restored = 0;
  let failed = 0;
  for (const entry of plan) {
    const dest = Buffer.concat([root, entry.path]);
    try {
      ensureParents(root, dest, safeDirs);
      const existing = lstatOrUndefined(dest);
      if (entry.type === 'dir') {
        if (existing === undefined) mkdirSync(dest, 0o700);
        else if (!existing.isDirectory()) throw new Error('exists and is not a directory');
        safeDirs.add(dest.toString('latin1'));
        dirTimes.push({ path: dest, entry });
      } else {
        if (existing !== undefined) {
          if (!overwrite) throw new Error('exists (use --overwrite to replace it)');
          if (existing.isDirectory()) throw new Error('exists as a directory');
        }
        if (entry.type === 'file') writeFile(repo, entry, dest, buffer, hasher);
        else {
          if (existing !== undefined) unlinkSync(dest);
          symlinkSync(entry.target ?? Buffer.alloc(0), dest);
          const mtime = nsToSeconds(entry.mtimeNs);
          lutimesSync(dest, mtime, mtime);
        }
      }
      restored++;
    } catch (error) {
      failed++;
      report(`vigil: ${dest.toString('utf8')}: ${(error as Error).message}`);
    }
  }
  for (const { path, entry } of dirTimes.reverse()) {
    chmodSync(path, entry.mode);
    const mtime = nsToSeconds(entry.mtimeNs);
    utimesSync(path, mtime, mtime);
  }
  return { restored, failed };
}

function writeFile(repo: Repository, entry: SnapshotEntry, dest: Buffer, buffer: Buffer, hasher: Blake3Hasher): void {
  const hash = entry.hash ?? '';
  const source = openSync(repo.objectPath(hash), 'r');
  const temp = Buffer.concat([dest, Buffer.from(`.vigil-restore-${process.pid}`)]);
  let out: number | undefined;
  let done = false;
  try {
    out = openSync(temp, CREATE_NEW, 0o600);
    hasher.reset();
    for (;;) {
      const n = readSync(source, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const chunk = buffer.subarray(0, n);
      hasher.update(chunk);
      for (let off = 0; off < n; ) off += writeSync(out, chunk, off, n - off);
    }
    if (hasher.digest('hex') !== hash) throw new Error(`its stored object ${hash} is damaged (run vigil verify)`);
    fchmodSync(out, entry.mode);
    const mtime = nsToSeconds(entry.mtimeNs);
    futimesSync(out, mtime, mtime);
    fsyncSync(out);
    closeSync(out);
    out = undefined;
    renameSync(temp, dest);
    done = true;
  } finally {
    closeSync(source);
    if (out !== undefined) closeSync(out);
    if (!done) {
      try {
        unlinkSync(temp);
      } catch {
        // never created
      }
    }
  }
}

/** Makes (or checks) every directory between root and dest; refuses a symlink among them. */
function ensureParents(root: Buffer, dest: Buffer, safeDirs: Set<string>): void {
  const parentEnd = dest.lastIndexOf(0x2f);
  const parent = dest.subarray(0, parentEnd);
  if (safeDirs.has(parent.toString('latin1'))) return;
  for (let i = dest.indexOf(0x2f, root.length + 1); i > 0 && i <= parentEnd; i = dest.indexOf(0x2f, i + 1)) {
    const dir = dest.subarray(0, i);
    const key = dir.toString('latin1');
    if (safeDirs.has(key)) continue;
    const stats = lstatOrUndefined(dir);
    if (stats === undefined) mkdirSync(dir, 0o755);
    else if (stats.isSymbolicLink()) throw new Error(`refusing to write through the symlink ${dir.toString('utf8')}`);
    else if (!stats.isDirectory()) throw new Error(`${dir.toString('utf8')} is not a directory`);
    safeDirs.add(key);
  }
}

function lstatOrUndefined(path: Buffer): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Seconds as a double for Node's utimes, exact to the microsecond. A double near 1.8e9 s
 * resolves about 240 ns and libuv truncates to whole ns, so aiming half a microsecond past
 * the recorded microsecond lands inside it whichever way the double rounds.
 */
function nsToSeconds(ns: string): number {
  return (Number(BigInt(ns) / 1000n) + 0.5) / 1e6;
}
