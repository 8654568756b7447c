/**
 * Bytes read of files not yet finished, counted where the reading happens (a worker thread, or
 * the native reader's C code on its behalf) and read by the main thread's progress bar, so that
 * the bar moves while one big file is read instead of jumping when it ends.
 *
 * A reader adds each piece of a file longer than one piece as it reads it, and takes the file's
 * pieces back off when the file is done, read or not; a file's size then arrives with its
 * outcome (ProgressSink.fileDone). So at any moment the count is the part already read of the
 * big files being read now. It lives in shared memory, which reaches worker threads only:
 * batches sent to other hosts (Redis) carry none.
 */

/** One 64-bit count in a SharedArrayBuffer (Atomics work on it from any thread, and from C). */
export type ReadingCounter = BigInt64Array;

export function createReadingCounter(): ReadingCounter {
  return new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
}

/** The bytes read so far of the files being read now. */
export function readingBytes(counter: ReadingCounter): number {
  return Number(Atomics.load(counter, 0));
}

/** Adds `bytes` (negative: takes them off) to `counter`, if there is one. */
export function addReading(counter: ReadingCounter | undefined, bytes: number): void {
  if (counter !== undefined && bytes !== 0) Atomics.add(counter, 0, BigInt(bytes));
}
