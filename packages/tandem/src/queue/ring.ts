/**
 * The byte ring under a Queue: records of [4-byte length][payload], padded to 4 bytes, in a
 * shared byte buffer, with their bookkeeping in the queue's header cells (shared/layout.ts,
 * QUEUE_*). Every function here runs with the queue's mutex held; the mutex's atomic
 * operations order these plain byte copies between threads.
 */
import {
  QUEUE_COUNT,
  QUEUE_HEAD,
  QUEUE_RECORD_HEADER,
  QUEUE_TAIL,
  QUEUE_UNFINISHED,
  QUEUE_USED,
} from '../shared/layout.js';

/** Bytes a payload of `length` bytes takes in the ring. */
export function recordBytes(length: number): number {
  return QUEUE_RECORD_HEADER + ((length + 3) & ~3);
}

/** Whether a record of `need` bytes fits, and the item count stays within `maxsize` (0: unbounded). */
export function hasRoom(cells: Int32Array, capacity: number, need: number, maxsize: number): boolean {
  if (maxsize > 0 && Atomics.load(cells, QUEUE_COUNT) >= maxsize) return false;
  return Atomics.load(cells, QUEUE_USED) + need <= capacity;
}

/** Appends one record. The caller checked hasRoom(). */
export function writeRecord(cells: Int32Array, bytes: Uint8Array, view: DataView, payload: Uint8Array): void {
  const capacity = bytes.length;
  const tail = Atomics.load(cells, QUEUE_TAIL);
  const need = recordBytes(payload.length);
  // Records start on 4-byte boundaries and the capacity is a multiple of 4: the length never wraps.
  view.setInt32(tail, payload.length, true);
  copyIn(bytes, (tail + QUEUE_RECORD_HEADER) % capacity, payload);
  Atomics.store(cells, QUEUE_TAIL, (tail + need) % capacity);
  Atomics.add(cells, QUEUE_USED, need);
  Atomics.add(cells, QUEUE_COUNT, 1);
  Atomics.add(cells, QUEUE_UNFINISHED, 1);
}

/** Removes the oldest record and returns a copy of its payload. The caller checked QUEUE_COUNT > 0. */
export function readRecord(cells: Int32Array, bytes: Uint8Array, view: DataView): Buffer {
  const capacity = bytes.length;
  const head = Atomics.load(cells, QUEUE_HEAD);
  const length = view.getInt32(head, true);
  const payload = Buffer.allocUnsafe(length);
  copyOut(bytes, (head + QUEUE_RECORD_HEADER) % capacity, payload);
  Atomics.sub(cells, QUEUE_USED, recordBytes(length));
  if (Atomics.sub(cells, QUEUE_COUNT, 1) === 1) {
    // Empty: start again at 0, so the next records are contiguous.
    Atomics.store(cells, QUEUE_HEAD, 0);
    Atomics.store(cells, QUEUE_TAIL, 0);
  } else {
    Atomics.store(cells, QUEUE_HEAD, (head + recordBytes(length)) % capacity);
  }
  return payload;
}

function copyIn(bytes: Uint8Array, at: number, payload: Uint8Array): void {
  const first = Math.min(payload.length, bytes.length - at);
  bytes.set(payload.subarray(0, first), at);
  if (first < payload.length) bytes.set(payload.subarray(first), 0);
}

function copyOut(bytes: Uint8Array, at: number, payload: Uint8Array): void {
  const first = Math.min(payload.length, bytes.length - at);
  payload.set(bytes.subarray(at, at + first), 0);
  if (first < payload.length) payload.set(bytes.subarray(0, payload.length - first), first);
}
