/** `vigil backup --exclude-larger-than SIZE`: which files are over the limit. */
import { lstatSync } from 'node:fs';

/**
 * Whether a file is over `limit` bytes (--exclude-larger-than). The walk does not stat files
 * (workers do), so this costs one lstat a file, paid only when the flag is given. A file that
 * cannot be stat'ed here is kept: the worker reports what is wrong with it.
 */
export function largerThan(limit: number | undefined): (path: Buffer) => boolean {
  if (limit === undefined) return () => false;
  return (path) => {
    try {
      return lstatSync(path).size > limit;
    } catch {
      return false;
    }
  };
}
