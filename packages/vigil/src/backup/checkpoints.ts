/**
 * The moments of a backup at which a crash must leave the repository sound. A run given a
 * `checkpoint` hook awaits it at each (tests stop the run there and kill -9 it); a run
 * without one passes straight through.
 */
export type BackupCheckpoint =
  | 'after-first-batch'
  | 'objects-stored'
  | 'before-commit'
  | 'after-commit'
  | 'during-prune';

/** Awaited at each checkpoint, when given. */
export type CheckpointHook = (point: BackupCheckpoint) => Promise<void>;
