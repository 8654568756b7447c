/**
 * The JSON replacer of snapshot records: bigints as decimal strings, ids as hex. Its own
 * module so that `vigil snapshots` does not load the backup command (its worker pool and
 * tandem cost more to import than the listing takes).
 */
export function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array || (value as { type?: string })?.type === 'Buffer') {
    return Buffer.from((value as { data?: number[] }).data ?? (value as Uint8Array)).toString('hex');
  }
  return value;
}
