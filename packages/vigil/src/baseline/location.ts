/**
 * Where a tree's baseline lives (default `DIR/.vigil/baseline.db`), and the excludes every
 * scan adds: the `.vigil` folder at the root, and the database file itself (with its
 * temporary and journal files) should `--db` put it inside the tree.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';

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

export function alwaysExcluded(root: string, dbPath: string): string[] {
  const patterns = [`/${DEFAULT_DB_DIR}/`];
  const inside = relative(resolve(root), resolve(dbPath));
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) {
    // Anchored, with gitignore's special characters escaped; `*` covers -journal and .tmp-PID.
    patterns.push(`/${inside.replace(/[\\*?[\]!# ]/g, '\\$&')}*`);
  }
  return patterns;
}
