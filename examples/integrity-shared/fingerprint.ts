/** What integrity-shared records per file, shared by make-baseline.ts and the checkers. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** A file's MD5 truncated to 64 bits, its size and its modification time, all as bigints. */
export interface Fingerprint {
  digest: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/** The baseline file: relative path -> fingerprint, with bigints as strings (JSON has none). */
export interface Baseline {
  files: Record<string, { md5: string; size: string; mtimeNs: string }>;
}

export async function fingerprint(path: string): Promise<Fingerprint> {
  const hash = createHash('md5');
  for await (const block of createReadStream(path)) hash.update(block);
  const { size, mtimeNs } = await stat(path, { bigint: true });
  return { digest: hash.digest().readBigUInt64BE(0), size, mtimeNs };
}

/** The regular files under `root`, as paths relative to it, in sorted order. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}
