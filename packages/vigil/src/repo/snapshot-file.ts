/**
 * Snapshot files (docs/format-v2-trees.md, "Snapshot files"): one per backup run, the UTF-8
 * JSON plaintext below sealed as kind 'snapshot' and stored as REPO/snapshots/<SHA-256 of the
 * sealed bytes>. It says when, from where and of what the run was, and names the root tree.
 *
 * Pure: no I/O, no sealing. Decoding trusts nothing and reports any problem as a
 * SnapshotDamagedError naming the file and the field.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { VigilError } from '../errors.js';
import { parseBlobId } from './blob-id.js';

export interface SnapshotStats {
  files: number;
  dirs: number;
  symlinks: number;
  /** FIFOs, devices and sockets. */
  others: number;
  /** Bytes of the files' contents, holes excluded. */
  totalBytes: number;
  /** Bytes of the blobs this run added, before compression. */
  newBytes: number;
  newBlobs: number;
  /** Bytes this run added to the repository, as stored (compressed and sealed). */
  storedBytes: number;
}

export interface Snapshot {
  readonly version: 1;
  /** ISO 8601 of timeNs, for people and jq. */
  readonly time: string;
  /** Start of the backup, ns since the epoch: files modified at or after it are read again next time. */
  readonly timeNs: bigint;
  readonly host: string;
  readonly user?: string;
  /** Absolute paths of the sources as given (labels: the tree holds each path's exact bytes). */
  readonly sources: readonly string[];
  readonly tags: readonly string[];
  /** Id of the root tree: the directory '/', whose entries lead down to each source. */
  readonly tree: Buffer;
  /** The snapshot (file id, 64 hex) this run compared against to skip unchanged files. */
  readonly parent?: string;
  readonly stats: SnapshotStats;
  /** Some source could not be read: the snapshot lacks it. */
  readonly incomplete: boolean;
  readonly unreadableCount: number;
  /** The first unreadable paths, at most MAX_UNREADABLE_LISTED. */
  readonly unreadable: readonly string[];
}

export const SNAPSHOT_VERSION = 1;
/** A snapshot file's plaintext larger than this is refused before it is parsed. */
export const MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;
export const MAX_SOURCES = 4096;
export const MAX_TAGS = 256;
export const MAX_TAG_CHARS = 256;
export const MAX_UNREADABLE_LISTED = 100;
const MAX_NAME_CHARS = 1024;
/** PATH_MAX less its NUL: a longer source could not have been opened. */
const MAX_SOURCE_BYTES = 4095;
const HEX_ID = /^[0-9a-f]{64}$/;
/** Signed 64-bit nanoseconds in decimal, one spelling per number. */
const DECIMAL_I64 = /^(0|-?[1-9][0-9]{0,18})$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const STAT_KEYS: readonly (keyof SnapshotStats)[] = [
  'files',
  'dirs',
  'symlinks',
  'others',
  'totalBytes',
  'newBytes',
  'newBlobs',
  'storedBytes',
];
const DAMAGED =
  'the file is damaged or was tampered with (other snapshots are not affected): check it with vigil verify';

/** A snapshot file cannot be read: its plaintext is not what the format says, or is of a newer version. */
export class SnapshotDamagedError extends VigilError {
  /** Which snapshot file: its id or path. */
  readonly what: string;
  /** The key that is wrong ('' for the file as a whole). */
  readonly field: string;
  constructor(what: string, field: string, problem: string, options?: { cause?: unknown }) {
    super(
      'ERR_VIGIL_SNAPSHOT_DAMAGED',
      `cannot read the snapshot ${what}: ${field === '' ? '' : `"${field}" `}${problem}`,
      options,
    );
    this.what = what;
    this.field = field;
  }
}

/** The file's name under snapshots/: the SHA-256 of the sealed file's bytes, so verify checks it without the password. */
export function snapshotFileId(fileBytes: Uint8Array): string {
  return createHash('sha256').update(fileBytes).digest('hex');
}

/** The instant in whole milliseconds (rounded down, also before 1970), as Date and ISO 8601 count it. */
function millisecondsOf(ns: bigint): number {
  const ms = ns / 1_000_000n;
  return Number(ns < 0n && ms * 1_000_000n !== ns ? ms - 1n : ms);
}

/** The ISO 8601 time of `ns`, as `time` is written. */
export function snapshotTime(ns: bigint): string {
  return new Date(millisecondsOf(ns)).toISOString();
}

/**
 * The plaintext of `s`'s snapshot file (the caller seals it as kind 'snapshot'). It is
 * decoded again before it is returned: a snapshot no reader would accept (a 300th tag, a
 * relative source) is a RangeError here rather than a backup that cannot be listed.
 */
export function encodeSnapshot(s: Snapshot): Buffer {
  const stored: Record<string, unknown> = {
    version: s.version,
    time: s.time,
    timeNs: s.timeNs.toString(),
    host: s.host,
  };
  if (s.user !== undefined) stored.user = s.user;
  stored.sources = s.sources;
  stored.tags = s.tags;
  stored.tree = Buffer.from(s.tree).toString('hex');
  if (s.parent !== undefined) stored.parent = s.parent;
  stored.stats = Object.fromEntries(STAT_KEYS.map((key) => [key, s.stats[key]]));
  stored.incomplete = s.incomplete;
  stored.unreadableCount = s.unreadableCount;
  stored.unreadable = s.unreadable;
  const plain = Buffer.from(JSON.stringify(stored), 'utf8');
  try {
    decodeSnapshot(plain, 'being written');
  } catch (error) {
    throw new RangeError(`not a valid snapshot: ${(error as Error).message}`, { cause: error });
  }
  return plain;
}

class FieldProblem extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(problem);
    this.field = field;
  }
}

function fail(field: string, problem: string): never {
  throw new FieldProblem(field, problem);
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(field, 'is not an integer from 0');
  return value;
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) fail(field, `is not a string of at most ${max} characters`);
  return value;
}

function list(value: unknown, field: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    fail(field, `is not a list of ${min} to ${max} entries`);
  }
  return value;
}

/** A clean absolute path: '/' alone, or '/'-separated parts none of which is empty, '.' or '..'; no NUL. */
function sourcePath(value: unknown, field: string): string {
  if (typeof value !== 'string' || Buffer.byteLength(value) > MAX_SOURCE_BYTES) {
    fail(field, `is not a path of at most ${MAX_SOURCE_BYTES} bytes`);
  }
  const clean =
    value === '/' ||
    (value.startsWith('/') &&
      !value.includes('\0') &&
      value
        .slice(1)
        .split('/')
        .every((part) => part !== '' && part !== '.' && part !== '..'));
  if (!clean) fail(field, `${JSON.stringify(value)} is not a clean absolute path (no empty, ".", ".." part, no NUL)`);
  return value;
}

function tag(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_TAG_CHARS || value.includes(',')) {
    fail(field, `is not a tag (1 to ${MAX_TAG_CHARS} characters, no comma)`);
  }
  return value;
}

function timeNsOf(value: unknown): bigint {
  if (typeof value !== 'string' || !DECIMAL_I64.test(value)) fail('timeNs', 'is not a decimal string of nanoseconds');
  const ns = BigInt(value);
  if (ns >= 2n ** 63n || ns < -(2n ** 63n)) fail('timeNs', 'is out of range');
  return ns;
}

function snapshotOf(s: Record<string, unknown>): Snapshot {
  const timeNs = timeNsOf(s.timeNs);
  const time = text(s.time, 'time', 64);
  if (!ISO_8601.test(time) || Date.parse(time) !== millisecondsOf(timeNs)) {
    fail('time', `${JSON.stringify(time)} is not the ISO 8601 time of "timeNs" (${snapshotTime(timeNs)})`);
  }
  const tree = typeof s.tree === 'string' ? parseBlobId(s.tree) : undefined;
  if (tree === undefined) fail('tree', 'is not a tree id (64 lowercase hex digits)');
  if (s.parent !== undefined && (typeof s.parent !== 'string' || !HEX_ID.test(s.parent))) {
    fail('parent', 'is not a snapshot id (64 lowercase hex digits)');
  }
  if (typeof s.stats !== 'object' || s.stats === null || Array.isArray(s.stats)) fail('stats', 'is not an object');
  const statsIn = s.stats as Record<string, unknown>;
  const stats = Object.fromEntries(STAT_KEYS.map((key) => [key, count(statsIn[key], `stats.${key}`)]));
  if (typeof s.incomplete !== 'boolean') fail('incomplete', 'is not true or false');
  const unreadableCount = count(s.unreadableCount, 'unreadableCount');
  // Unbounded each (a deep path can pass PATH_MAX, walked by descriptors): the file's size bounds them.
  const unreadable = list(s.unreadable, 'unreadable', 0, MAX_UNREADABLE_LISTED).map((path, i) =>
    typeof path === 'string' ? path : fail(`unreadable[${i}]`, 'is not a string'),
  );
  if (unreadable.length > unreadableCount)
    fail('unreadableCount', `is less than the ${unreadable.length} paths listed`);
  const snapshot: { -readonly [K in keyof Snapshot]: Snapshot[K] } = {
    version: SNAPSHOT_VERSION,
    time,
    timeNs,
    host: text(s.host, 'host', MAX_NAME_CHARS),
    sources: list(s.sources, 'sources', 1, MAX_SOURCES).map((path, i) => sourcePath(path, `sources[${i}]`)),
    tags: list(s.tags, 'tags', 0, MAX_TAGS).map((t, i) => tag(t, `tags[${i}]`)),
    tree,
    stats: stats as unknown as SnapshotStats,
    incomplete: s.incomplete,
    unreadableCount,
    unreadable,
  };
  if (s.user !== undefined) snapshot.user = text(s.user, 'user', MAX_NAME_CHARS);
  if (s.parent !== undefined) snapshot.parent = s.parent as string;
  return snapshot;
}

/**
 * The snapshot of a snapshot file's plaintext (opened by the caller), every field checked
 * (docs/format-v2-trees.md, "Reading a snapshot file: the checks"); SnapshotDamagedError
 * naming `what` and the field otherwise. Keys this vigil does not know are ignored.
 */
export function decodeSnapshot(plain: Buffer, what: string): Snapshot {
  if (plain.length > MAX_SNAPSHOT_BYTES) {
    throw new SnapshotDamagedError(
      what,
      '',
      `is ${plain.length} bytes, above the limit of ${MAX_SNAPSHOT_BYTES}; ${DAMAGED}`,
    );
  }
  // Checked first: Buffer#toString would turn invalid UTF-8 into U+FFFD silently.
  if (!isUtf8(plain)) throw new SnapshotDamagedError(what, '', `is not UTF-8; ${DAMAGED}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString('utf8'));
  } catch (error) {
    throw new SnapshotDamagedError(what, '', `is not JSON (${(error as Error).message}); ${DAMAGED}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SnapshotDamagedError(what, '', `is not a JSON object; ${DAMAGED}`);
  }
  const s = parsed as Record<string, unknown>;
  // The version first: a newer file is not damaged, and its other fields may mean something else.
  if (typeof s.version === 'number' && Number.isSafeInteger(s.version) && s.version > SNAPSHOT_VERSION) {
    throw new SnapshotDamagedError(
      what,
      'version',
      `is ${s.version}, newer than this vigil reads (${SNAPSHOT_VERSION}): upgrade vigil`,
    );
  }
  if (s.version !== SNAPSHOT_VERSION)
    throw new SnapshotDamagedError(what, 'version', `is not ${SNAPSHOT_VERSION}; ${DAMAGED}`);
  try {
    return snapshotOf(s);
  } catch (error) {
    if (error instanceof FieldProblem)
      throw new SnapshotDamagedError(what, error.field, `${error.message}; ${DAMAGED}`);
    throw error;
  }
}
