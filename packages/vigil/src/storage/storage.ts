/**
 * The one interface between a repository and where its files live: a folder on this machine
 * today, another machine (SFTP) or an object store (S3) behind the same calls. Everything
 * above it (repo/, backup/, inspect/) names files by their path inside the repository
 * ("snapshots/<id>", "data/ab/<pack id>") and never learns which backend holds them.
 *
 * It is shaped for remote storage: files are immutable and written whole (a write becomes
 * visible only when complete: a temp name then a rename on disk and SFTP, a finished PUT on
 * S3), reads take a range, listing is by folder prefix (S3 has no folders), and packs are
 * built in a local staging folder and then moved in whole, so a pack's upload can stream from
 * disk and memory stays bounded however big the backup.
 */

/** What a repository's root holds before `vigil init` makes one there. */
export type RootState = 'missing' | 'empty' | 'not-empty' | 'not-a-folder';

/** Reads ranges of one stored file: kept open while a reader works in it (a pack). */
export interface RangeReader {
  /** The file's size when it was opened. */
  readonly size: number;
  /** Exactly `length` bytes at `offset`; throws StorageError if the file ends early. */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface WriteOptions {
  /**
   * false: the caller makes the file durable later with `flush` (a backup flushes all its
   * packs at once before its index lists them). Default true: durable when the call returns.
   */
  readonly durable?: boolean;
}

export interface Storage {
  /** How messages name the repository: its absolute path, or its URL as given. */
  readonly location: string;
  /**
   * A folder on this machine where writers build files before `putFile` moves them in (packs).
   * For a local repository it is REPO/tmp, on the same file system, so the move is a rename.
   */
  readonly stagingDir: string;
  /**
   * Whether `putFile` renames the staged file into the repository (a local repository: the file
   * written in stagingDir is the repository's for good), rather than uploading and removing it.
   */
  readonly renamesIntoPlace: boolean;

  /** What the root holds now (init's check before asking for a password). */
  rootState(): Promise<RootState>;
  /** Makes the root (missing, or an empty folder) and `folders` in it; throws RepositoryError saying why not. */
  create(folders: readonly string[]): Promise<void>;
  /** Every file below `folder`, as paths relative to it ("ab/abcd..."), in no particular order; [] when it is missing. */
  list(folder: string): Promise<string[]>;
  /** The size of file `name`, or undefined when there is none. */
  size(name: string): Promise<number | undefined>;
  /** The whole of file `name`, refused (StorageError) if larger than `maxBytes`; ENOENT-coded StorageError when missing. */
  read(name: string, maxBytes: number): Promise<Buffer>;
  /** Opens `name` for range reads. */
  openReader(name: string): Promise<RangeReader>;
  /** Writes `bytes` as `name`, replacing any file of that name; visible only once complete. */
  write(name: string, bytes: Uint8Array, options?: WriteOptions): Promise<void>;
  /** Moves the complete local file `localPath` (in stagingDir) into the repository as `name`. */
  putFile(localPath: string, name: string, options?: WriteOptions): Promise<void>;
  /** Removes `name`; true if it was there. Durable when it returns, unless `durable: false`. */
  remove(name: string, options?: WriteOptions): Promise<boolean>;
  /**
   * Removes every file of `names` (one already gone counts as removed), in as few round trips
   * as the backend allows (prune removes hundreds of packs): S3 deletes up to 1000 objects per
   * request, SFTP keeps several removals in flight. Durable when it returns, unless `durable: false`.
   */
  removeAll(names: readonly string[], options?: WriteOptions): Promise<void>;
  /**
   * Makes what was written or removed with `durable: false` durable: `names` are those files
   * (the files written, with their names; the folders of the files removed).
   */
  flush(names: readonly string[]): Promise<void>;
  /** Ends connections; the object is unusable after. */
  close(): Promise<void>;
}
