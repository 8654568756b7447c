/**
 * Cache directories (https://bford.info/cachedir/): a directory holding a file CACHEDIR.TAG
 * that begins with the signature line is a cache, which `vigil backup --exclude-caches`
 * leaves out, all but the tag itself (as restic and tar --exclude-caches do: the restored
 * tree still says it held a cache).
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { ExcludeRules } from './exclude-rules.js';
import { findFile, type Listing } from './listing.js';
import { procPath } from './proc-fd.js';

export const CACHE_TAG_NAME = 'CACHEDIR.TAG';
const CACHE_TAG_BYTES = Buffer.from(CACHE_TAG_NAME);
/** The spec's signature: the tag's first 43 bytes, exactly. */
const SIGNATURE = Buffer.from('Signature: 8a477f597d28d172789f06886806bc55');
/** Opened without following a link, and without waiting on a FIFO put in its place. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Everything in a cache directory but its tag (relative to that directory). */
export const CACHE_CONTENTS = new ExcludeRules(['*', `!/${CACHE_TAG_NAME}`]);

/** Whether the directory open at `dirFd`, listed as `listing`, holds a valid CACHEDIR.TAG. */
export function isCacheDirectory(dirFd: number, listing: Listing): boolean {
  if (findFile(listing, CACHE_TAG_BYTES) < 0) return false;
  let fd: number;
  try {
    fd = openSync(procPath(dirFd, CACHE_TAG_BYTES), READ_FLAGS);
  } catch {
    return false; // unreadable (or not a file): not a tag we can trust; the walk reports it
  }
  try {
    const head = Buffer.alloc(SIGNATURE.length);
    let got = 0;
    while (got < head.length) {
      const n = readSync(fd, head, got, head.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === SIGNATURE.length && head.equals(SIGNATURE);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
