/**
 * What this process may do that restore needs privilege for, read from the capabilities it
 * holds (/proc/self/status, CapEff) rather than from its uid: root whose capabilities were
 * dropped (a container, `setpriv --bounding-set=-all`) may not chown either, and a user
 * granted CAP_CHOWN may.
 */
import { readFileSync } from 'node:fs';

export interface RestorePrivileges {
  /** CAP_CHOWN: give files to any owner. Without it, owners are left as they come (restic does the same). */
  readonly chown: boolean;
  /** CAP_MKNOD: make device nodes. Without it, a device is a notice. */
  readonly mknod: boolean;
}

const CAP_CHOWN = 0n;
const CAP_MKNOD = 27n;

/** Parses the CapEff line of /proc/<pid>/status. */
export function privilegesOf(status: string): RestorePrivileges {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  const effective = match ? BigInt(`0x${match[1]}`) : 0n;
  const has = (bit: bigint) => ((effective >> bit) & 1n) === 1n;
  return { chown: has(CAP_CHOWN), mknod: has(CAP_MKNOD) };
}

/** This process's privileges (none where /proc cannot tell). */
export function currentPrivileges(): RestorePrivileges {
  try {
    return privilegesOf(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return { chown: false, mknod: false };
  }
}
