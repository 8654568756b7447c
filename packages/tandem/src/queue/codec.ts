/**
 * How queue items become bytes. node:v8's serialize/deserialize (the structured-clone
 * format) handles every cloneable value but costs several microseconds per call from
 * JavaScript, about ten times a structuredClone; strings and numbers, the commonest queue
 * items (paths, ids, lines), take a direct encoding instead. The first byte says which.
 */
import { deserialize, serialize } from 'node:v8';

const V8 = 0;
const STRING = 1;
const NUMBER = 2;

/** The bytes of one item. */
export function encodeItem(item: unknown): Buffer {
  if (typeof item === 'string') {
    const bytes = Buffer.allocUnsafe(1 + Buffer.byteLength(item));
    bytes[0] = STRING;
    bytes.write(item, 1, 'utf8');
    return bytes;
  }
  if (typeof item === 'number') {
    const bytes = Buffer.allocUnsafe(9);
    bytes[0] = NUMBER;
    bytes.writeDoubleLE(item, 1);
    return bytes;
  }
  const serialized = serialize(item);
  const bytes = Buffer.allocUnsafe(1 + serialized.length);
  bytes[0] = V8;
  serialized.copy(bytes, 1);
  return bytes;
}

/** The item back from its bytes. */
export function decodeItem(bytes: Buffer): unknown {
  switch (bytes[0]) {
    case STRING:
      return bytes.toString('utf8', 1);
    case NUMBER:
      return bytes.readDoubleLE(1);
    default:
      return deserialize(bytes.subarray(1));
  }
}
