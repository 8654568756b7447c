/**
 * How `vigil baseline` and `vigil accept` write a baseline: into a new database beside the
 * old one (BaselineWriter), renamed over it only on commit. Until then an error, or Ctrl-C
 * (exit 130), removes the new file, so a run that does not finish leaves the previous
 * baseline as it was.
 */

import { BaselineWriter } from '../baseline/store.js';
import type { AlgorithmName } from '../checksums/algorithms.js';
import { onInterrupt } from './interrupt.js';

/** Runs `write` with a new baseline for dbPath; it is dropped if `write` throws or the user interrupts. */
export async function writeNewBaseline<T>(
  dbPath: string,
  algorithm: AlgorithmName,
  write: (writer: BaselineWriter) => Promise<T>,
): Promise<T> {
  const writer = BaselineWriter.create(dbPath, algorithm);
  const stopListening = onInterrupt(() => writer.abort());
  try {
    return await write(writer);
  } catch (error) {
    writer.abort();
    throw error;
  } finally {
    stopListening();
  }
}
