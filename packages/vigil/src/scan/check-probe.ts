/**
 * Untagged 64-digit manifest lines fit SHA-256, BLAKE3 and SHA3-256 alike (sha256sum and
 * b3sum write the same shape); 128 digits fit SHA-512, BLAKE2b (b2sum) and SHA3-512. Without
 * --algo, --check asks the first listed file that can be read which of them gives its listed
 * digest, and checks the whole run with that one, rather than guessing and printing a FAILED
 * line for every file.
 */

import type { AlgorithmName } from '../checksums/algorithms.js';
import { PathFlag } from '../fs/records.js';
import type { HashPools } from '../pool/hash-pools.js';
import { FileBatch } from './file-batch.js';
import { type FileOutcome, HashEngine, type HashEngineOptions } from './hash-engine.js';

export type ProbeResult =
  /** The file was read, and this algorithm gives the listed digest. */
  | { readonly kind: 'matched'; readonly algorithm: AlgorithmName }
  /** The file was read, and no candidate gives the listed digest: it tells nothing. */
  | { readonly kind: 'neither' }
  /** The file could not be read (missing, a directory...): ask the next one. */
  | { readonly kind: 'unreadable'; readonly outcome: Exclude<FileOutcome, { kind: 'hashed' }> };

export async function probeAlgorithm(
  pools: HashPools,
  name: Buffer,
  expected: string,
  candidates: readonly AlgorithmName[],
  hashBatch: HashEngineOptions['hashBatch'],
): Promise<ProbeResult> {
  for (const algorithm of candidates) {
    const outcome = await hashOne(pools, name, algorithm, hashBatch);
    if (outcome === undefined)
      return { kind: 'unreadable', outcome: { kind: 'failed', code: 'EIO', message: 'not read' } };
    if (outcome.kind !== 'hashed') return { kind: 'unreadable', outcome };
    if (outcome.digest.toString('hex') === expected) return { kind: 'matched', algorithm };
  }
  return { kind: 'neither' };
}

async function hashOne(
  pools: HashPools,
  name: Buffer,
  algorithm: AlgorithmName,
  hashBatch: HashEngineOptions['hashBatch'],
): Promise<FileOutcome | undefined> {
  let result: FileOutcome | undefined;
  const engine = new HashEngine({
    pools,
    maxInFlight: 1,
    readLinksOnce: false,
    hashBatch,
    onOutcome: (_seq, _path, outcome) => {
      result = outcome;
    },
  });
  const batch = new FileBatch();
  batch.add(0, name, PathFlag.follow | PathFlag.readLinked, 0);
  // One file: read in this thread unless it is big (then a worker reads it).
  engine.submit(batch, algorithm, true);
  await engine.drain();
  return result;
}
