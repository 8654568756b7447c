/**
 * Extended attributes as the file-system layer hands them on: one record per entry, its
 * attributes as `name NUL, value length (4 bytes, big-endian), value`, one after another.
 * The native reader writes them in the order the file system lists them (native/xattrs.c);
 * `canonicalXattrs` sorts them by name, so that two records of the same attributes are the
 * same bytes, and a baseline can compare them with `equals` and store them as they are.
 * A record read back from a baseline is untrusted: `decodeXattrs` checks every length.
 */

export interface Xattr {
  /** The full name, namespace included (`user.note`, `security.capability`). */
  readonly name: Buffer;
  readonly value: Buffer;
}

const NUL = 0;
/** The record of an entry without attributes (most): one shared, never written to. */
const NONE = Buffer.alloc(0);
const LENGTH_BYTES = 4;

/** The attributes of a record; throws on a malformed one (a damaged baseline). */
export function decodeXattrs(record: Uint8Array): Xattr[] {
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  const out: Xattr[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf(NUL, at);
    if (end <= at || end + 1 + LENGTH_BYTES > bytes.length) {
      throw new Error(`malformed extended attribute record: a name at byte ${at} has no end or no value length`);
    }
    const length = bytes.readUInt32BE(end + 1);
    const valueAt = end + 1 + LENGTH_BYTES;
    if (valueAt + length > bytes.length) {
      throw new Error(`malformed extended attribute record: a value at byte ${valueAt} runs past its end`);
    }
    out.push({ name: bytes.subarray(at, end), value: bytes.subarray(valueAt, valueAt + length) });
    at = valueAt + length;
  }
  return out;
}

/** The record of `attributes`, as given (callers sort first for a canonical one). */
export function encodeXattrs(attributes: readonly Xattr[]): Buffer {
  const parts: Buffer[] = [];
  for (const { name, value } of attributes) {
    const head = Buffer.alloc(name.length + 1 + LENGTH_BYTES);
    name.copy(head);
    head.writeUInt32BE(value.length, name.length + 1);
    parts.push(head, value);
  }
  return Buffer.concat(parts);
}

/** A copy of `record` with its attributes sorted by name (bytewise): the form baselines store. */
export function canonicalXattrs(record: Uint8Array): Buffer {
  if (record.length === 0) return NONE;
  const sorted = decodeXattrs(record).sort((a, b) => Buffer.compare(a.name, b.name));
  return encodeXattrs(sorted);
}
