/**
 * What a test may inject into a command, and nothing a user runs sets: the worker tasks the
 * engines send batches to (a test's own task module, built on the shipped *With functions,
 * observes or disturbs reads), a hook awaited at each backup checkpoint (and at forget's prune
 * and copy's objects-stored), and the scrypt cost of the key files `vigil init` and `vigil key`
 * write (a test's is cheap, so it can make many).
 * Commands hand them to the engines they build; the command line passes none.
 */
import type { CheckpointHook } from '../backup/checkpoints.js';
import type { LockOptions } from '../backup/lock.js';
import type { RunBackupOptions } from '../backup/run-backup.js';
import type { InspectEngineOptions } from '../baseline/inspect-engine.js';
import type { ScryptParams } from '../repo/keys.js';
import type { HashEngineOptions } from '../scan/hash-engine.js';

export interface CommandHooks {
  readonly hashBatch?: HashEngineOptions['hashBatch'];
  readonly inspectBatch?: InspectEngineOptions['inspectBatch'];
  readonly storeEntries?: RunBackupOptions['storeEntries'];
  readonly checkpoint?: CheckpointHook;
  /** Awaited once a command holds its repository lock (tests pause a reader there). */
  readonly lockTaken?: LockOptions['onTaken'];
  /** scrypt's cost for new key files; users always get DEFAULT_SCRYPT. */
  readonly scrypt?: ScryptParams;
}
