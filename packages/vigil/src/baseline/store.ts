/**
 * Reading and writing baseline databases.
 *
 * A reader opens the file read-only (a check never changes it, and it may sit on read-only
 * media) and streams entries in key order. A writer builds a complete new database under a
 * temporary name in the same directory, then fsyncs and renames it over the old one: an
 * interrupted run leaves the previous baseline as it was and no half-written one in its place.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { BaselineCorruptError, BaselineMissingError, BaselineVersionError, BaselineWriteError } from '../errors.js';
import { decodeXattrs } from '../fs/xattrs.js';
import { ENTRY_TYPES, type EntryState, type EntryType, keyOf, pathOfKey } from './entry.js';
import {
  type BaselineMeta,
  metaFromRows,
  metaToRows,
  SCHEMA_SQL,
  SCHEMA_VERSION,
  XATTRS_SINCE_VERSION,
} from './schema.js';
import { signaturePath } from './signature.js';
import { type Database, type Statement, sqliteDatabase } from './sqlite.js';

type Row = [
  Buffer,
  string,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  bigint,
  Buffer | null,
  Buffer | null,
  Buffer | bigint | null,
];

/** What selectEntries gives for an empty record. */
const NO_XATTRS_MARK = 0;
const NO_XATTRS = Buffer.alloc(0);

/**
 * The entries in key order; a baseline older than the `xattrs` column gives NULL for it. An
 * empty record (most entries have no attributes) comes as the integer 0 (NO_XATTRS_MARK), so
 * that reading it makes no Buffer; anything but a blob or NULL (damage) comes as -1.
 */
function selectEntries(version: number): string {
  const xattrs =
    version >= XATTRS_SINCE_VERSION
      ? `CASE WHEN typeof(xattrs) = 'blob' AND length(xattrs) = 0 THEN ${NO_XATTRS_MARK} WHEN typeof(xattrs) IN ('blob', 'null') THEN xattrs ELSE -1 END`
      : 'NULL';
  return `SELECT path, type, size, mode, uid, gid, inode, nlink, mtime_ns, ctime_ns, target, hash, ${xattrs} FROM entries ORDER BY path`;
}

export class BaselineReader {
  readonly path: string;
  readonly meta: BaselineMeta;
  /** The schema version it was written with (see schema.ts). */
  readonly version: number;
  readonly #db: Database;

  private constructor(path: string, db: Database, meta: BaselineMeta, version: number) {
    this.path = path;
    this.#db = db;
    this.meta = meta;
    this.version = version;
  }

  /** Opens and validates a baseline; throws BaselineMissing/Corrupt/VersionError. */
  static open(path: string): BaselineReader {
    if (!existsSync(path)) throw new BaselineMissingError(path);
    const Sqlite = sqliteDatabase();
    let db: Database | undefined;
    try {
      db = new Sqlite(path, { readonly: true, fileMustExist: true });
      const version = db.prepare('SELECT version FROM schema_version').pluck().get() as number | undefined;
      if (typeof version !== 'number') throw new Error('no schema version');
      if (version > SCHEMA_VERSION) throw new BaselineVersionError(path, version, SCHEMA_VERSION);
      const meta = metaFromRows(db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]);
      if (meta === undefined) throw new Error('its meta table is incomplete');
      return new BaselineReader(path, db, meta, version);
    } catch (error) {
      db?.close();
      if (error instanceof BaselineVersionError) throw error;
      throw new BaselineCorruptError(path, error);
    }
  }

  /** Entries in key order (the walk's order), streamed from the primary-key b-tree. */
  *entries(): Generator<EntryState> {
    try {
      const rows = this.#db
        .prepare(selectEntries(this.version))
        .raw(true)
        .safeIntegers(true)
        .iterate() as Iterable<Row>;
      for (const row of rows) yield entryFromRow(row);
    } catch (error) {
      throw new BaselineCorruptError(this.path, error);
    }
  }

  count(): number {
    try {
      return this.#db.prepare('SELECT count(*) FROM entries').pluck().get() as number;
    } catch (error) {
      throw new BaselineCorruptError(this.path, error);
    }
  }

  close(): void {
    this.#db.close();
  }
}

function entryFromRow(row: Row): EntryState {
  const [key, type, size, mode, uid, gid, ino, nlink, mtimeNs, ctimeNs, target, hash, xattrs] = row;
  if (!(ENTRY_TYPES as readonly string[]).includes(type)) throw new Error(`unknown entry type "${type}"`);
  return {
    path: pathOfKey(key),
    type: type as EntryType,
    size,
    mode: Number(mode),
    uid: Number(uid),
    gid: Number(gid),
    ino,
    nlink: Number(nlink),
    mtimeNs,
    ctimeNs,
    ...(target ? { target } : {}),
    ...(hash ? { digest: hash } : {}),
    // An empty record (no attributes) is a zero-length blob, not NULL; decoding checks it is well formed.
    ...(xattrs !== null ? { xattrs: checkedXattrs(xattrs) } : {}),
  };
}

/** A stored record, checked: a damaged one makes the baseline corrupt rather than misread. */
function checkedXattrs(xattrs: Buffer | bigint): Buffer {
  // Only an empty blob reads as the mark; anything stored there but a blob or NULL reads as -1.
  if (typeof xattrs === 'bigint') {
    if (xattrs === BigInt(NO_XATTRS_MARK)) return NO_XATTRS;
    throw new Error('an extended attribute record is not bytes');
  }
  if (!Buffer.isBuffer(xattrs)) throw new Error('an extended attribute record is not bytes');
  decodeXattrs(xattrs);
  return xattrs;
}

export class BaselineWriter {
  readonly path: string;
  readonly #temp: string;
  readonly #db: Database;
  readonly #insert: Statement;
  readonly #algorithm: string;
  #count = 0;
  #done = false;

  private constructor(path: string, temp: string, db: Database, algorithm: string) {
    this.path = path;
    this.#temp = temp;
    this.#db = db;
    this.#algorithm = algorithm;
    this.#insert = db.prepare(
      'INSERT OR REPLACE INTO entries (path, type, size, mode, uid, gid, inode, nlink, mtime_ns, ctime_ns, target, hash, algo, xattrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Starts a new baseline at `path` (the old one, if any, stays until `commit`). */
  static create(path: string, algorithm: string): BaselineWriter {
    const temp = `${path}.tmp-${process.pid}`;
    const Sqlite = sqliteDatabase();
    try {
      mkdirSync(dirname(path), { recursive: true });
      rmSync(temp, { force: true });
      const db = new Sqlite(temp);
      // One transaction, no journal: the file is private until the rename, and a crash
      // leaves only this temporary file behind.
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec(SCHEMA_SQL);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
      db.exec('BEGIN');
      return new BaselineWriter(path, temp, db, algorithm);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new BaselineWriteError(path, error);
    }
  }

  get temporaryPath(): string {
    return this.#temp;
  }

  get count(): number {
    return this.#count;
  }

  put(entry: EntryState): void {
    this.#insert.run(
      keyOf(entry.path, entry.type),
      entry.type,
      entry.size,
      entry.mode,
      entry.uid,
      entry.gid,
      entry.ino,
      entry.nlink,
      entry.mtimeNs,
      entry.ctimeNs,
      entry.target ?? null,
      entry.digest ?? null,
      entry.digest ? this.#algorithm : null,
      entry.xattrs ?? null,
    );
    this.#count++;
  }

  /**
   * Writes the meta rows, commits, fsyncs, and renames over `path`. With `sign`, the
   * signature of the finished file is written beside it (`path.sig`, renamed into place
   * after the database); without, a signature left from an earlier baseline is removed, as
   * it no longer vouches for anything.
   */
  commit(meta: BaselineMeta, sign?: (file: string) => string): void {
    try {
      const insert = this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      for (const [key, value] of metaToRows(meta)) insert.run(key, value);
      this.#db.exec('COMMIT');
      this.#db.close();
      this.#done = true;
      syncFile(this.#temp);
      const sigPath = signaturePath(this.path);
      const sigTemp = `${sigPath}.tmp-${process.pid}`;
      if (sign) {
        writeFileSync(sigTemp, sign(this.#temp));
        syncFile(sigTemp);
      }
      renameSync(this.#temp, this.path);
      if (sign) renameSync(sigTemp, sigPath);
      else rmSync(sigPath, { force: true });
      syncFile(dirname(this.path));
    } catch (error) {
      this.abort();
      throw new BaselineWriteError(this.path, error);
    }
  }

  /** Drops the temporary database; the previous baseline is untouched. */
  abort(): void {
    if (!this.#done) {
      this.#done = true;
      try {
        this.#db.close();
      } catch {
        // Closing a connection mid-transaction can fail; the file is removed below anyway.
      }
    }
    rmSync(this.#temp, { force: true });
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Size in bytes of a baseline file (for `vigil status`). */
export function baselineFileSize(path: string): number {
  return statSync(path).size;
}
