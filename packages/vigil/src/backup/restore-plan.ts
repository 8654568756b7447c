/**
 * Plans a restore, purely: which entries of a snapshot to write, in an order where every
 * directory comes before what it holds, and a refusal of any record path that could land
 * outside TARGET. A record path must be absolute ('/a/b'), with no empty, '.' or '..' part
 * and no NUL; and no entry may sit below a symlink of the same snapshot (writing it would
 * follow the link). A snapshot holding any such path is refused whole, before anything is
 * written: it was not made by vigil, or was tampered with.
 */
import { UnsafeRestorePathError } from '../errors.js';
import { isWithin } from '../fs/containment.js';
import type { SnapshotEntry } from './snapshot-record.js';

const SLASH = 0x2f;

/** Why `path` is unsafe, or undefined if it is a clean absolute path. */
export function unsafeReason(path: Buffer): string | undefined {
  if (path.length < 2 || path[0] !== SLASH) return 'not an absolute path';
  if (path.includes(0)) return 'holds a NUL byte';
  const parts = path.subarray(1).toString('latin1').split('/');
  for (const part of parts) {
    if (part === '') return 'has an empty part (// or a trailing /)';
    if (part === '.' || part === '..') return `has a "${part}" part`;
  }
  return undefined;
}

/** Entries to restore, parents first; throws UnsafeRestorePathError listing every bad path. */
export function planRestore(entries: Iterable<SnapshotEntry>, filters: readonly Buffer[]): SnapshotEntry[] {
  const chosen: SnapshotEntry[] = [];
  const problems: string[] = [];
  const links = new Set<string>();
  for (const entry of entries) {
    const reason = unsafeReason(entry.path);
    if (reason !== undefined) {
      problems.push(`${JSON.stringify(entry.path.toString('utf8'))}: ${reason}`);
      continue;
    }
    if (entry.type === 'symlink') links.add(entry.path.toString('latin1'));
    if (filters.length === 0 || filters.some((f) => isWithin(entry.path, f))) chosen.push(entry);
  }
  if (links.size > 0) {
    for (const entry of chosen) {
      const path = entry.path.toString('latin1');
      for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
        if (links.has(path.slice(0, i))) {
          problems.push(`${JSON.stringify(entry.path.toString('utf8'))}: lies below the symlink ${path.slice(0, i)}`);
          break;
        }
      }
    }
  }
  if (problems.length > 0) throw new UnsafeRestorePathError(problems);
  // Byte order puts a path right before everything below it ('/a' < '/a/x').
  return chosen.sort((a, b) => Buffer.compare(a.path, b.path));
}
