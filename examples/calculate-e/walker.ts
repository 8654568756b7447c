/** The demo's other worker: walks a directory tree counting files and bytes into shared Values. */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defineTasks, getLogger, type Value } from 'tandem';

const log = getLogger('walker');

export default defineTasks(import.meta.url, {
  async walk(dir: string, files: Value<'float64'>, bytes: Value<'float64'>): Promise<void> {
    let fileCount = 0;
    let byteCount = 0;
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      try {
        byteCount += (await lstat(join(entry.parentPath, entry.name))).size;
        fileCount++;
        // One writer per Value: plain sets, no read-modify-write to guard.
        await files.set(fileCount);
        await bytes.set(byteCount);
      } catch (error) {
        log.warn({ error, file: entry.name }, 'cannot stat a file');
      }
    }
    log.info({ dir, files: fileCount, bytes: byteCount }, 'walk done');
  },
});
