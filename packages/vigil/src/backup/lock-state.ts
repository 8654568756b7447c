/** The one Int32 slot lock.ts and its refresher thread (lock-refresher.ts) share, and its values. */
export const RefreshState = {
  /** Index of the slot in the Int32Array over the SharedArrayBuffer. */
  slot: 0,
  idle: 0,
  /** The refresher is rewriting the lock file. */
  writing: 1,
  /** The lock is released: the refresher must not write again. */
  released: 2,
} as const;
