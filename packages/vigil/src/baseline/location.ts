/**
 * Where a tree's baseline lives (default `DIR/.vigil/baseline.db`), and the excludes every
 * scan adds: the `.vigil` folder at the root, and the database file itself (with its
 * temporary and journal files) should `--db` put it inside the tree.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { relativeInside } from '../fs/containment.js';

export const DEFAULT_DB_DIR = '.vigil';
export const DEFAULT_DB_NAME = 'baseline.db';

export function resolveDbPath(root: string, db: string | undefined): string {
  return db === undefined ? join(root, DEFAULT_DB_DIR, DEFAULT_DB_NAME) : db;
}

/** The root as the walk should see it; throws UsageError unless it is a directory. */
export function checkRoot(dir: string | undefined): string {
  const root = dir ?? '.';
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (error) {
    throw new UsageError(
      `cannot use ${root} as the tree to check (${(error as NodeJS.ErrnoException).code}): give a directory`,
    );
  }
  if (!isDirectory) throw new UsageError(`${root} is not a directory: vigil baselines and checks whole trees`);
  return root.length > 1 ? root.replace(/\/+$/, '') : root;
}

/**
 * Paths (relative to the root) every scan leaves out: `.vigil`, and the database with its
 * temporary and journal files when `--db` puts it inside the tree. Matched by prefix in the
 * scan rather than as exclude patterns: with no user excludes, the walk then runs no
 * pattern matcher at all (which cost 150 ms on 200k files).
 */
export function alwaysExcluded(root: string, dbPath: string): Buffer[] {
  const prefixes = [Buffer.from(DEFAULT_DB_DIR)];
  const inside = relativeInside(root, dbPath);
  if (inside !== undefined && inside !== '') prefixes.push(Buffer.from(inside));
  return prefixes;
}

/** Whether `path` is `prefix`, lies under it, or extends its name (`baseline.db-journal`). */
export function isExcludedBy(path: Buffer, prefixes: readonly Buffer[]): boolean {
  for (const prefix of prefixes) {
    if (path.length >= prefix.length && path[0] === prefix[0] && path.subarray(0, prefix.length).equals(prefix)) {
      // `.vigil` itself and `.vigil/...`, but not `.vigilignore` or `.vigil2`.
      if (prefix.equals(DEFAULT_DIR_BYTES)) return path.length === prefix.length || path[prefix.length] === 0x2f;
      return true;
    }
  }
  return false;
}

const DEFAULT_DIR_BYTES = Buffer.from(DEFAULT_DB_DIR);
