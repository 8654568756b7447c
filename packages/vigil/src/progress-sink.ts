/**
 * How the engines (hashing, checking, backing up) tell of their progress: files found by the
 * walk, files done, diagnostic lines. The commands hand them a bar or a silent sink
 * (report/progress.ts); the engines know neither.
 */
export interface ProgressSink {
  /** The walk found `count` more files. */
  found(count: number): void;
  /** The walk is over: the total is known. */
  walkDone(): void;
  /** One file is done: `bytes` read, of which `newBytes` were new to a backup repository. */
  fileDone(bytes: number, newBytes?: number): void;
  /** Bytes read that no fileDone counts (`vigil check` learns them per batch, not per file). */
  bytesRead(bytes: number): void;
  /**
   * Where to learn the bytes read so far of files still being read (fs/reading-bytes.ts), so
   * the bar moves during one big file; the bar asks `read` on its own clock until `stop`.
   */
  watchReading(read: () => number): void;
  /** Writes a diagnostic line without tearing the bar. */
  log(line: string): void;
  stop(): void;
}
