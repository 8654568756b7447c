/**
 * The SharedArrayBuffer slot layout of every shared object: each is an Int32Array of the
 * slots below (the queue adds a byte ring, Value and SharedArray a typed data buffer).
 * The protocol that uses each slot is described where it lives (sync/*.ts, queue/*.ts).
 */

/** Event: 1 when set, 0 when clear. Waiters sleep on it while it is 0. */
export const EVENT_FLAG = 0;
export const EVENT_SLOTS = 1;

/** Lock: a mutex word (sync/mutex.ts: 0 free, 1 held, 2 held with sleepers). */
export const LOCK_WORD = 0;
export const LOCK_SLOTS = 1;

/** RLock: a mutex word, the owner's id (0 when free) and how many times the owner holds it. */
export const RLOCK_WORD = 0;
export const RLOCK_OWNER = 1;
export const RLOCK_COUNT = 2;
export const RLOCK_SLOTS = 3;

/** Semaphore: the counter. Acquirers sleep on it while it is 0. */
export const SEMAPHORE_VALUE = 0;
export const SEMAPHORE_SLOTS = 1;

/**
 * Condition (see sync/condition.ts): SEQ, bumped by each notify, which waiters sleep on;
 * WAITERS, the waiters not yet counted by a notify (changed only under the condition's lock);
 * TOKENS, wake-ups notify handed out and no waiter has taken yet (added under the lock, taken
 * by compare-and-swap).
 */
export const CONDITION_SEQ = 0;
export const CONDITION_WAITERS = 1;
export const CONDITION_TOKENS = 2;
export const CONDITION_SLOTS = 3;

/**
 * Barrier: an internal mutex guarding COUNT (parties inside wait()) and STATE (one of the
 * BARRIER_* states), and SEQ, bumped (under the mutex) at every change of STATE, which
 * waiters sleep on.
 */
export const BARRIER_MUTEX = 0;
export const BARRIER_COUNT = 1;
export const BARRIER_STATE = 2;
export const BARRIER_SEQ = 3;
export const BARRIER_SLOTS = 4;
/** Parties are arriving. */
export const BARRIER_FILLING = 0;
/** All parties arrived; those inside are leaving with their index. */
export const BARRIER_DRAINING = 1;
/** reset() while parties waited: they leave with BrokenBarrierError, then the barrier fills again. */
export const BARRIER_RESETTING = 2;
/** abort() or a timeout: every wait fails until reset(). */
export const BARRIER_BROKEN = 3;

/**
 * Queue header. An internal mutex guards every other slot and the ring. COUNT items take
 * USED bytes of the ring, from byte HEAD (the oldest record) to byte TAIL (where the next
 * is written); each record is a 4-byte length and the encoded item (queue/codec.ts), padded to 4 bytes.
 * PUT_SEQ is bumped after each put (getters sleep on it), GET_SEQ after each get (putters
 * sleep on it); both on close(). GETTERS and PUTTERS count the sleepers, so a put or get
 * notifies only when someone may sleep. UNFINISHED counts items put and not yet marked
 * done (JoinableQueue); join() sleeps on it.
 */
export const QUEUE_MUTEX = 0;
export const QUEUE_COUNT = 1;
export const QUEUE_HEAD = 2;
export const QUEUE_TAIL = 3;
export const QUEUE_USED = 4;
export const QUEUE_PUT_SEQ = 5;
export const QUEUE_GET_SEQ = 6;
export const QUEUE_GETTERS = 7;
export const QUEUE_PUTTERS = 8;
export const QUEUE_CLOSED = 9;
export const QUEUE_UNFINISHED = 10;
export const QUEUE_SLOTS = 11;
/** Bytes of a record's length prefix; records start on 4-byte boundaries, so it never wraps. */
export const QUEUE_RECORD_HEADER = 4;

/** An Int32Array of `slots` cells on a new SharedArrayBuffer. */
export function newCells(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT));
}
