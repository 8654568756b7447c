/**
 * A local cache of the parent's files (restic keeps a cache of a repository's trees for the
 * same reason): the next backup of the same sources takes the table of the snapshot's files
 * (parent-files.ts) from here instead of decoding every tree of the snapshot, which was the
 * longest wait of a second backup (about 0.6 s of /usr/share's 3,600 trees, more over SFTP).
 *
 * Where: `$XDG_CACHE_HOME/vigil` (else `~/.cache/vigil`), tagged with CACHEDIR.TAG, one folder
 * per repository (its config id), one file per set of sources (a hash of them: the parent of a
 * backup is the newest snapshot of exactly its sources), replaced by each backup of them:
 *
 *   magic "VGPC" | layout (u8) | byte order (u8: 1 little-endian, 2 big) | snapshot id (32 bytes) |
 *   AES-256-GCM of the table under the repository's encryption key, with the snapshot id bound
 *   into its associated data
 *
 * What it can and cannot do: the table lists files with their content refs, and a backup reuses
 * a listed file's refs without reading it when its stat is unchanged. So an entry is used only
 * when it is for the very snapshot the repository names as the parent (whose blobs prune keeps),
 * it opens under the repository's key (so nobody without the key can write one), and it holds
 * exactly the files that snapshot's trees hold with content (the run that committed it wrote
 * it: RunParentRows). Anything else is a miss, and the parent's trees are read as without a
 * cache; a file that does not open is removed. A cache is never needed: deleting it is safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { openBytes, sealBytes } from '../repo/sealer.js';
import { joinTables } from './parent-files.js';

const MAGIC = Buffer.from('VGPC', 'latin1');
/** The layout of parent-files.ts's table; a change to it makes older entries misses. */
const TABLE_LAYOUT = 1;
const BYTE_ORDER = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 2;
const SNAPSHOT_ID_BYTES = 32;
const HEADER_BYTES = MAGIC.length + 2 + SNAPSHOT_ID_BYTES;
/**
 * The cache's folders are the user's alone, as restic's are: the rows of an unencrypted
 * repository's table (sealed under a key its config holds) name every file backed up.
 */
const PRIVATE_FOLDER = { recursive: true, mode: 0o700 } as const;
const CACHEDIR_TAG =
  'Signature: 8a477f597d28d172789f06886806bc55\n' +
  '# This file is a cache directory tag created by vigil.\n' +
  '# For information about cache directory tags, see https://bford.info/cachedir/\n';

/** vigil's cache folder under `env`: XDG_CACHE_HOME's, else the home folder's .cache. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'vigil');
}

/** The cached parent tables of one repository. */
export class ParentCache {
  readonly #dir: string;
  readonly #root: string;
  readonly #key: Buffer;

  /** The cache of the repository whose config id is `repositoryId`, sealed under `encryptionKey`, in `root`. */
  constructor(root: string, repositoryId: string, encryptionKey: Uint8Array) {
    this.#root = root;
    this.#dir = join(root, repositoryId);
    this.#key = Buffer.from(encryptionKey);
  }

  /** The table of snapshot `snapshotId` of `sources`, or undefined (none, another snapshot's, or damaged: then removed). */
  read(sources: readonly string[], snapshotId: string): Uint8Array | undefined {
    const path = this.#path(sources);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    if (
      bytes.length < HEADER_BYTES ||
      !bytes.subarray(0, MAGIC.length).equals(MAGIC) ||
      bytes[MAGIC.length] !== TABLE_LAYOUT ||
      bytes[MAGIC.length + 1] !== BYTE_ORDER ||
      bytes.toString('hex', MAGIC.length + 2, HEADER_BYTES) !== snapshotId
    ) {
      return undefined; // an older layout, another machine's, or the table of an earlier snapshot: replaced after the run
    }
    try {
      return openBytes(this.#key, bytes.subarray(HEADER_BYTES), associatedData(snapshotId), 'a cached parent table');
    } catch {
      rmSync(path, { force: true });
      return undefined;
    }
  }

  /** Keeps `table` as the files of snapshot `snapshotId` of `sources`, replacing what was kept for them. */
  write(sources: readonly string[], snapshotId: string, table: Uint8Array): void {
    mkdirSync(this.#dir, PRIVATE_FOLDER);
    writeFileSync(join(this.#root, 'CACHEDIR.TAG'), CACHEDIR_TAG);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header);
    header[MAGIC.length] = TABLE_LAYOUT;
    header[MAGIC.length + 1] = BYTE_ORDER;
    header.write(snapshotId, MAGIC.length + 2, 'hex');
    const path = this.#path(sources);
    // A whole file or none: a run killed while writing leaves only its temporary file.
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, Buffer.concat([header, sealBytes(this.#key, table, associatedData(snapshotId))]), {
      mode: 0o600,
    });
    renameSync(temporary, path);
  }

  /** A file to write and read back, already unlinked from this repository's folder; undefined if it cannot be made. */
  scratchFile(): number | undefined {
    try {
      mkdirSync(this.#dir, PRIVATE_FOLDER);
      const path = join(this.#dir, `rows-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
      const fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      return fd;
    } catch {
      return undefined;
    }
  }

  #path(sources: readonly string[]): string {
    return join(this.#dir, tableName(sources));
  }
}

/**
 * Whether the cache in `root` keeps a table of `sources` for any repository: before the
 * repository is opened, the sign that a backup of them has a parent (a nightly run).
 */
export function holdsTableOf(root: string, sources: readonly string[]): boolean {
  const name = tableName(sources);
  try {
    return readdirSync(root, { withFileTypes: true }).some(
      (entry) => entry.isDirectory() && existsSync(join(root, entry.name, name)),
    );
  } catch {
    return false;
  }
}

/** The file name of the table of `sources` in a repository's folder. */
function tableName(sources: readonly string[]): string {
  const key = createHash('sha256')
    .update(JSON.stringify([...sources].sort()))
    .digest('hex');
  return `parent-${key.slice(0, 32)}`;
}

function associatedData(snapshotId: string): Buffer {
  return Buffer.from(`vigil-v2:parent-cache:${snapshotId}`);
}

/**
 * What one run keeps for the next: its workers' rows, batch by batch, become the new snapshot's
 * table once it is committed, without the files its trees do not hold with content (later
 * names of hard links, entries under a directory that could not be read). The rows wait in a
 * scratch file of the cache folder, unlinked as soon as it is opened (so nothing is left
 * behind however the run ends), not in memory: about 150 bytes a file, 150 MB for a million.
 * Where the folder cannot be written they wait in memory.
 */
export class RunParentRows {
  readonly #scratch: number | undefined;
  #written = 0;
  readonly #parts: Uint8Array[] = [];

  constructor(
    readonly cache: ParentCache,
    readonly sources: readonly string[],
  ) {
    this.#scratch = cache.scratchFile();
  }

  add(rows: Uint8Array | undefined): void {
    if (rows === undefined || rows.length === 0) return;
    if (this.#scratch === undefined) {
      this.#parts.push(rows);
      return;
    }
    for (let done = 0; done < rows.length; ) {
      done += writeSync(this.#scratch, rows, done, rows.length - done, this.#written + done);
    }
    this.#written += rows.length;
  }

  /** Writes the table of the committed snapshot `snapshotId`, whose trees were built as `built` says. */
  commit(snapshotId: string, built: { readonly orphans: readonly string[]; readonly linked: readonly string[] }): void {
    try {
      const parts = this.#scratch === undefined ? this.#parts.splice(0) : [this.#readBack()];
      const table = joinTables(parts, new Set([...built.orphans, ...built.linked]));
      this.cache.write(this.sources, snapshotId, table);
    } finally {
      this.close();
    }
  }

  /**
   * Lets the rows go (commit does). A run that fails before its commit leaves the descriptor to
   * the process's end: the file is unlinked already, so nothing stays on disk.
   */
  close(): void {
    if (this.#scratch !== undefined) closeSync(this.#scratch);
    this.#parts.length = 0;
  }

  #readBack(): Buffer {
    const bytes = Buffer.allocUnsafe(this.#written);
    for (let done = 0; done < bytes.length; ) {
      const got = readSync(this.#scratch as number, bytes, done, bytes.length - done, done);
      if (got === 0) throw new Error('the parent rows scratch file is shorter than what was written to it');
      done += got;
    }
    return bytes;
  }
}
