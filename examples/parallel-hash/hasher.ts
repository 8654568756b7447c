/** parallel-hash's worker: hashes one chunk of the files and files its results under its number. */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type DictProxy, defineTasks, getLogger } from 'tandem';

const log = getLogger('parallel-hash');

/** path -> SHA-256 (hex) of one chunk, as [path, hash] pairs. */
export type ChunkHashes = [path: string, sha256: string][];

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const block of createReadStream(path)) hash.update(block);
  return hash.digest('hex');
}

export default defineTasks(import.meta.url, {
  /** An unreadable file is logged and skipped; `crash` makes the worker fail, to show the exit-code check. */
  async hashChunk(worker: number, paths: string[], results: DictProxy<number, ChunkHashes>, crash: boolean) {
    const hashes: ChunkHashes = [];
    for (const path of paths) {
      try {
        hashes.push([path, await sha256(path)]);
      } catch (error) {
        log.warn({ path, reason: (error as Error).message }, 'cannot read a file: skipped');
      }
    }
    if (crash) throw new Error(`worker ${worker} crashes, as asked by --crash`);
    await results.set(worker, hashes);
  },
});
