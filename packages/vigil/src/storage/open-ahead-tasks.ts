/**
 * The task module a backup's worker pool starts each worker with (tandem's initializer,
 * everything here runs inside a worker): the worker opens its own storage of the repository as
 * it starts (over SFTP or S3: loading ssh2 or the AWS SDK, connecting, logging in, about 0.3 s
 * of one core; on a local disk, little more than starting the thread), while the main thread
 * still reads the index and the parent snapshot, instead of at its first batch, when the walk
 * waits for it.
 */
import { defineTasks } from 'tandem/tasks';
import { workerStorage } from './worker-storage.js';

/** Opens this thread's storage of `location` ahead of use; a failure is not kept, and the first batch reports its own. */
async function openAhead(location: string): Promise<void> {
  await workerStorage(location).catch(() => {});
}

export default defineTasks(import.meta.url, { openAhead });
