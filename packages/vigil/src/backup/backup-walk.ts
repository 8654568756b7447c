/**
 * The walk of a backup's sources: what runBackup walks, and what the command starts walking
 * before the repository is open (fs/walk-ahead.ts).
 */
import { relativeInside } from '../fs/containment.js';
import { type WalkEntry, walk } from '../fs/walk.js';

/**
 * The walk of a backup of `sources` into the repository at `root` (its location: a repository
 * inside a source is left out), in blocks of entries.
 */
export function backupWalk(
  root: string,
  sources: readonly string[],
  excludes: readonly string[],
  excludeCaches: boolean,
): AsyncIterable<WalkEntry[]> {
  return walk(
    sources.map((s) => Buffer.from(s)),
    {
      follow: false,
      oneFileSystem: false,
      excludes: [...excludes, ...repositoryExcludes(root, sources)],
      directories: true,
      excludeCaches,
    },
  );
}

/** A repository inside a source is not backed up into itself. */
function repositoryExcludes(repoRoot: string, sources: readonly string[]): string[] {
  const out: string[] = [];
  for (const source of sources) {
    const inside = relativeInside(source, repoRoot);
    if (inside !== undefined && inside !== '') out.push(`/${inside}/`);
  }
  return out;
}
