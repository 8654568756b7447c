/**
 * The backup's progress bar on stderr (files, bytes, new bytes, rate, ETA), shown only on a
 * TTY; like vigil hash's, the total is known once the walk ends.
 */
import { createRequire } from 'node:module';
import type { SingleBar as SingleBarType } from 'cli-progress';

// cli-progress loads only when a bar is shown (stderr is a terminal): runs in scripts and
// pipes, the common case for speed, skip its load.
const require = createRequire(import.meta.url);
const loadSingleBar = () => (require('cli-progress') as typeof import('cli-progress')).SingleBar;

import type { BackupProgress } from '../backup/run-backup.js';
import { formatBytes } from './format-bytes.js';

export function silentBackupProgress(stderr: NodeJS.WritableStream): BackupProgress {
  return {
    found() {},
    walkDone() {},
    fileDone() {},
    log(line) {
      stderr.write(`${line}\n`);
    },
    stop() {},
  };
}

export function terminalBackupProgress(stderr: NodeJS.WriteStream): BackupProgress {
  let total = 0;
  let done = 0;
  let bytes = 0;
  let newBytes = 0;
  const startedAt = performance.now();
  const SingleBar = loadSingleBar();
  const bar: SingleBarType = new SingleBar({
    stream: stderr,
    format: '{bar} {value}/{total} files | {size} ({fresh} new) | {rate}/s | ETA {eta_formatted}',
    barsize: 20,
    hideCursor: true,
    clearOnComplete: true,
    fps: 8,
    etaBuffer: 200,
  });
  const payload = () => {
    const seconds = (performance.now() - startedAt) / 1000;
    return {
      size: formatBytes(bytes),
      fresh: formatBytes(newBytes),
      rate: formatBytes(seconds > 0 ? bytes / seconds : 0),
    };
  };
  bar.start(1, 0, payload());
  return {
    found(count) {
      total += count;
      bar.setTotal(Math.max(total, 1));
    },
    walkDone() {
      bar.setTotal(Math.max(total, 1));
    },
    fileDone(size, fresh) {
      done++;
      bytes += size;
      newBytes += fresh;
      bar.update(done, payload());
    },
    log(line) {
      stderr.write(`\r\x1b[K${line}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}
