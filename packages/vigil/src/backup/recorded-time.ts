/**
 * `vigil backup --time TIMESTAMP`: the time a snapshot records instead of now (importing old
 * backups). ISO 8601 ("2024-05-01T03:00:00Z", an offset, or none: local time) and restic's
 * "2006-01-02 15:04:05" (local time) are accepted. A time in the future is refused: the next
 * backup trusts files older than its parent's time unread, so a later time would let it
 * skip files changed in between.
 */
import { UsageError } from '../errors.js';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const RESTIC = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Nanoseconds since the epoch (whole milliseconds) of `value`; UsageError if it is no such time or after `nowMs`. */
export function parseRecordedTime(value: string, nowMs: number = Date.now()): bigint {
  const restic = RESTIC.exec(value);
  let ms: number;
  if (restic) {
    const [y, mo, d, h, mi, s] = restic.slice(1).map(Number) as [number, number, number, number, number, number];
    const local = new Date(y, mo - 1, d, h, mi, s);
    // new Date rolls 2024-02-30 over into March: a date that does not round-trip does not exist.
    const exists =
      local.getFullYear() === y &&
      local.getMonth() === mo - 1 &&
      local.getDate() === d &&
      local.getHours() === h &&
      local.getMinutes() === mi &&
      local.getSeconds() === s;
    ms = exists ? local.getTime() : Number.NaN;
  } else {
    ms = ISO_8601.test(value) ? Date.parse(value) : Number.NaN;
  }
  if (!Number.isFinite(ms)) {
    throw new UsageError(
      `--time takes a time such as 2024-05-01T03:00:00Z (ISO 8601) or "2024-05-01 03:00:00" (local), got "${value}"`,
    );
  }
  if (ms > nowMs) throw new UsageError(`--time ${value} is in the future: give the time the backed-up data had`);
  return BigInt(ms) * 1_000_000n;
}
