/**
 * Which extended attributes differ between two records (fs/xattrs.ts), by name, with the
 * well-known ones named in words: a `setcap` on a binary shows as "file capability", a
 * `setfacl` as "POSIX ACL". Pure: the printers call it on a metadata change's states.
 */
import { decodeXattrs } from '../fs/xattrs.js';

export type XattrChangeKind = 'added' | 'removed' | 'changed';

export interface XattrChange {
  /** The attribute's full name (`security.capability`). */
  readonly name: string;
  readonly change: XattrChangeKind;
  /** What the attribute is, for the well-known ones. */
  readonly meaning?: string;
}

/** What the kernel keeps in these attributes. */
const MEANINGS: Readonly<Record<string, string>> = {
  'security.capability': 'file capability',
  'system.posix_acl_access': 'POSIX ACL',
  'system.posix_acl_default': 'default POSIX ACL',
  'security.selinux': 'SELinux label',
  'security.apparmor': 'AppArmor label',
  'security.SMACK64': 'Smack label',
  'security.ima': 'IMA hash',
  'security.evm': 'EVM signature',
};

/** The differences, in name order; empty when the records hold the same attributes. */
export function diffXattrs(before: Uint8Array, after: Uint8Array): XattrChange[] {
  const old = new Map(decodeXattrs(before).map((x) => [x.name.toString('latin1'), x.value]));
  const now = new Map(decodeXattrs(after).map((x) => [x.name.toString('latin1'), x.value]));
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changes: XattrChange[] = [];
  for (const key of names) {
    const a = old.get(key);
    const b = now.get(key);
    const change: XattrChangeKind | undefined =
      a === undefined ? 'added' : b === undefined ? 'removed' : a.equals(b) ? undefined : 'changed';
    if (change === undefined) continue;
    const name = Buffer.from(key, 'latin1').toString('utf8');
    const meaning = MEANINGS[name];
    changes.push(meaning === undefined ? { name, change } : { name, change, meaning });
  }
  return changes;
}

/** One change in words: `xattr security.capability added (file capability)`. */
export function describeXattrChange(change: XattrChange): string {
  return `xattr ${change.name} ${change.change}${change.meaning === undefined ? '' : ` (${change.meaning})`}`;
}
