/**
 * The progress bar on stderr (files, bytes, rate, ETA; for backups also the new bytes), shown
 * only when stderr is a TTY and neither --quiet nor --no-progress was given. The total is
 * known only once the walk ends; until then the bar shows counts without an ETA.
 */
import { createRequire } from 'node:module';
import type { SingleBar as SingleBarType } from 'cli-progress';
import type { ProgressSink } from '../progress-sink.js';
import { formatBytes } from './format-bytes.js';

// cli-progress loads only when a bar is shown (stderr is a terminal): runs in scripts and
// pipes, the common case for speed, skip its load.
const require = createRequire(import.meta.url);
const loadSingleBar = () => (require('cli-progress') as typeof import('cli-progress')).SingleBar;

/** The bar, or its silent stand-in: what the engines report their progress to. */
export type Progress = ProgressSink;

export interface TerminalProgressOptions {
  /** Show the new bytes too (backups). */
  readonly newBytes?: boolean;
}

/** No bar: diagnostics go straight to stderr. */
export function silentProgress(stderr: NodeJS.WritableStream): Progress {
  return {
    found() {},
    walkDone() {},
    fileDone() {},
    bytesRead() {},
    watchReading() {},
    log(line) {
      stderr.write(`${line}\n`);
    },
    stop() {},
  };
}

export function terminalProgress(stderr: NodeJS.WriteStream, options: TerminalProgressOptions = {}): Progress {
  let total = 0;
  let done = 0;
  let bytes = 0;
  let newBytes = 0;
  let reading = () => 0;
  let shownBytes = 0;
  let poll: NodeJS.Timeout | undefined;
  const startedAt = performance.now();
  const SingleBar = loadSingleBar();
  const size = options.newBytes ? '{size} ({fresh} new)' : '{size}';
  const bar: SingleBarType = new SingleBar({
    stream: stderr,
    format: `{bar} {value}/{total} files | ${size} | {rate}/s | ETA {eta_formatted}`,
    barsize: options.newBytes ? 20 : 24,
    hideCursor: true,
    clearOnComplete: true,
    fps: 8,
    etaBuffer: 200,
  });
  const payload = () => {
    const seconds = (performance.now() - startedAt) / 1000;
    // Never backwards: a big file's pieces leave the reading count a moment before its size
    // arrives through fileDone.
    shownBytes = Math.max(shownBytes, bytes + reading());
    return {
      size: formatBytes(shownBytes),
      fresh: formatBytes(newBytes),
      rate: formatBytes(seconds > 0 ? shownBytes / seconds : 0),
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
    fileDone(size, fresh = 0) {
      done++;
      bytes += size;
      newBytes += fresh;
      // Engines count a file as found before it is sent; this keeps the bar honest regardless.
      if (done > total) {
        total = done;
        bar.setTotal(total);
      }
      bar.update(done, payload());
    },
    bytesRead(size) {
      bytes += size;
      bar.update(done, payload());
    },
    watchReading(read) {
      reading = read;
      // cli-progress redraws on its own clock only what it was last given: ask for the count.
      poll ??= setInterval(() => bar.update(done, payload()), 250).unref();
    },
    log(line) {
      stderr.write(`\r\x1b[K${line}\n`);
    },
    stop() {
      clearInterval(poll);
      bar.stop();
    },
  };
}
