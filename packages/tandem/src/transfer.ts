/**
 * transfer(): a task hands back an ArrayBuffer (or several) by moving it to the caller
 * instead of copying it, as `{ transfer: [...] }` does for arguments.
 */
import type { TransferListItem } from 'node:worker_threads';

let collecting: TransferListItem[] | undefined;

/**
 * Marks what a task's result should move rather than copy, and returns `value` unchanged.
 * With no list, an ArrayBuffer value (or the buffer under a typed array or Buffer that spans
 * it whole) is moved. Moving only happens between threads; child processes get a copy, and
 * outside a pool call it does nothing.
 *
 * @example
 * ```ts
 * export default defineTasks(import.meta.url, {
 *   render(width: number) {
 *     const pixels = new Uint8Array(width * width * 4);
 *     return transfer(pixels);
 *   },
 * });
 * ```
 */
export function transfer<T>(value: T, list?: readonly TransferListItem[]): T {
  if (collecting === undefined) return value;
  if (list) collecting.push(...list);
  else if (value instanceof ArrayBuffer) collecting.push(value);
  else if (
    ArrayBuffer.isView(value) &&
    value.buffer instanceof ArrayBuffer &&
    value.byteLength === value.buffer.byteLength
  ) {
    collecting.push(value.buffer);
  }
  return value;
}

/** @internal The runner collects transfers while it runs jobs, into `into`. */
export function collectTransfers(into: TransferListItem[] | undefined): void {
  collecting = into;
}
