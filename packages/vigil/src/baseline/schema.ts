/**
 * The baseline's SQLite schema. A `schema_version` table holds one row; a reader refuses a
 * version newer than SCHEMA_VERSION rather than misreading it. Entries are keyed by their
 * path bytes (a directory's with a trailing `/`, see entry.ts `keyOf`) in a WITHOUT ROWID
 * table, so reading in key order walks the primary-key b-tree and matches the walk's order.
 *
 * Version 2 added `xattrs`. A version 1 baseline is still read: its entries have no record
 * of extended attributes (as if made without the native reader), which a check does not
 * compare and `vigil accept` fills in; a writer always writes the current version.
 */
export const SCHEMA_VERSION = 2;
/** The first version with the `xattrs` column. */
export const XATTRS_SINCE_VERSION = 2;

export const SCHEMA_SQL = `
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
  path     BLOB PRIMARY KEY,  -- bytes, relative to the root; a directory's ends in '/'
  type     TEXT NOT NULL,     -- file, dir, symlink, fifo, socket, device, other
  size     INTEGER NOT NULL,
  mode     INTEGER NOT NULL,  -- permission, set-id and sticky bits
  uid      INTEGER NOT NULL,
  gid      INTEGER NOT NULL,
  inode    INTEGER NOT NULL,
  nlink    INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  target   BLOB,              -- a symlink's target
  hash     BLOB,              -- a file's content hash (NULL if it could not be read)
  algo     TEXT,              -- the algorithm of hash
  xattrs   BLOB               -- extended attributes, sorted by name (NULL: not recorded; see fs/xattrs.ts)
) WITHOUT ROWID;
`;

/** What the meta table holds (values are text). */
export interface BaselineMeta {
  readonly algorithm: string;
  /** Exclude patterns (gitignore syntax) the scan used; a check reuses them. */
  readonly excludes: readonly string[];
  /** When the scan began, ns since the epoch: the racy-timestamp reference. */
  readonly scanStartedNs: bigint;
  /** When the baseline was committed (ISO 8601). */
  readonly writtenAt: string;
  /** The root's absolute path when the baseline was taken (informational). */
  readonly root: string;
  readonly vigilVersion: string;
}

export function metaToRows(meta: BaselineMeta): [string, string][] {
  return [
    ['algorithm', meta.algorithm],
    ['excludes', JSON.stringify(meta.excludes)],
    ['scan_started_ns', meta.scanStartedNs.toString()],
    ['written_at', meta.writtenAt],
    ['root', meta.root],
    ['vigil_version', meta.vigilVersion],
  ];
}

/** Parses the meta rows; undefined when a required key is missing or malformed. */
export function metaFromRows(rows: readonly { key: string; value: string }[]): BaselineMeta | undefined {
  const map = new Map(rows.map((r) => [r.key, r.value]));
  const algorithm = map.get('algorithm');
  const excludes = map.get('excludes');
  const started = map.get('scan_started_ns');
  if (algorithm === undefined || excludes === undefined || started === undefined || !/^\d+$/.test(started)) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(excludes);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) return undefined;
  return {
    algorithm,
    excludes: parsed,
    scanStartedNs: BigInt(started),
    writtenAt: map.get('written_at') ?? '',
    root: map.get('root') ?? '',
    vigilVersion: map.get('vigil_version') ?? '',
  };
}
