/**
 * Whether two directories' entries would encode to the same tree blob: the test that lets a
 * backup reuse its parent's tree id for an unchanged directory instead of encoding, hashing
 * and looking up the tree again (restic's archiver does the same).
 *
 * It compares the entries' values, field by field, whatever fields they have: encodeTree is a
 * function of those values, so equal entries make the same plaintext and the same id. A field
 * added to MetaNode or TreeNode later is compared without a change here; a key set to
 * undefined counts as absent, as it does for encodeTree (JSON drops it).
 */
import type { TreeNode } from './tree.js';

export function sameTreeNodes(a: readonly TreeNode[], b: readonly TreeNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

/** Structural equality of what tree entries hold: primitives, bigints, bytes, arrays, plain objects. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return (
      a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
    );
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    keys++;
    if (!sameValue(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) keys--;
  return keys === 0;
}
