/**
 * `vigil unlock REPO [--remove-all]`: remove the locks whose run is gone (stale), or every
 * lock. Lock files are not sealed, so no password is asked: a stuck repository can be freed
 * by whoever may write to it.
 */

import { removeLocks } from '../backup/lock.js';
import { ExitCode as Code, type ExitCode } from '../exit.js';
import { readConfig } from '../repo/repository.js';
import { openStorage } from '../storage/open-storage.js';

export interface UnlockOptions {
  readonly repo: string;
  readonly removeAll?: boolean;
}

export async function unlock(options: UnlockOptions): Promise<ExitCode> {
  const storage = await openStorage(options.repo);
  let removed: number;
  try {
    await readConfig(storage); // a path that is not a repository is refused, not searched for locks
    removed = await removeLocks(storage, options.removeAll === true);
  } finally {
    await storage.close();
  }
  const what = options.removeAll ? 'lock' : 'stale lock';
  process.stdout.write(`removed ${removed} ${what}${removed === 1 ? '' : 's'}\n`);
  return Code.ok;
}
