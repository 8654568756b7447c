/**
 * Whether one path lies inside another: one helper for every command. A relative path that
 * starts with `..` is not necessarily outside (`..foo` is a name); only `..` itself or a
 * leading `../` is.
 */
import { isAbsolute, relative, resolve } from 'node:path';

const SLASH = 0x2f;

/** `child` relative to `parent` ('' if they are the same), or undefined if it lies outside. */
export function relativeInside(parent: string, child: string): string | undefined {
  const rel = relative(resolve(parent), resolve(child));
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) return undefined;
  return rel;
}

/** Whether the '/'-separated bytes `path` are `prefix` or lie below it (an empty prefix holds everything). */
export function isWithin(path: Buffer, prefix: Buffer): boolean {
  if (prefix.length === 0) return true;
  if (path.length < prefix.length || !path.subarray(0, prefix.length).equals(prefix)) return false;
  return path.length === prefix.length || path[prefix.length] === SLASH || prefix.at(-1) === SLASH;
}
