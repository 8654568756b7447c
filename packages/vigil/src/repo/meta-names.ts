/**
 * Entry names in node records are bytes (Linux allows any byte but '/' and NUL, not always
 * UTF-8). Every name read from a repository is checked here before any call uses it, so no
 * restore step can reach outside the directory it works in.
 */
import { UnsafeEntryNameError } from './meta-errors.js';

/** Linux's NAME_MAX: the longest name one directory entry can have, in bytes. */
export const NAME_MAX = 255;
const SLASH = 0x2f;
const DOT = 0x2e;

/** Whether `name` is one path component a directory can hold. */
export function isSafeName(name: Uint8Array): boolean {
  if (name.length === 0 || name.length > NAME_MAX) return false;
  if (name[0] === DOT && (name.length === 1 || (name.length === 2 && name[1] === DOT))) return false;
  return !name.includes(SLASH) && !name.includes(0);
}

/** Throws UnsafeEntryNameError unless `name` is safe; `what` says what it names. */
export function requireSafeName(name: Uint8Array, what: string): void {
  if (!isSafeName(name)) throw new UnsafeEntryNameError(what, name);
}

/** The components of a relative path (a hard link's first path), each checked. */
export function safeComponents(path: Uint8Array, what: string): Buffer[] {
  const bytes = Buffer.from(path);
  const parts: Buffer[] = [];
  let at = 0;
  while (at <= bytes.length) {
    const slash = bytes.indexOf(SLASH, at);
    const end = slash === -1 ? bytes.length : slash;
    const part = bytes.subarray(at, end);
    requireSafeName(part, what);
    parts.push(part);
    at = end + 1;
  }
  return parts;
}
