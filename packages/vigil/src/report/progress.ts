/**
 * The progress bar on stderr (files, bytes, rate, ETA), shown only when stderr is a TTY and
 * neither --quiet nor --no-progress was given. The total is known only once the walk ends;
 * until then the bar shows counts without an ETA.
 */
import { createRequire } from 'node:module';
import type { SingleBar as SingleBarType } from 'cli-progress';

// cli-progress loads only when a bar is shown (stderr is a terminal): runs in scripts and
// pipes, the common case for speed, skip its load.
const require = createRequire(import.meta.url);
const loadSingleBar = () => (require('cli-progress') as typeof import('cli-progress')).SingleBar;

export interface Progress {
  /** The walk found `count` more files to hash. */
  found(count: number): void;
  /** The walk is over: the total is known. */
  walkDone(): void;
  fileDone(bytes: number): void;
  /** Writes a diagnostic line without tearing the bar. */
  log(line: string): void;
  stop(): void;
}

/** No bar: diagnostics go straight to stderr. */
export function silentProgress(stderr: NodeJS.WritableStream): Progress {
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

export function terminalProgress(stderr: NodeJS.WriteStream): Progress {
  let total = 0;
  let done = 0;
  let bytes = 0;
  const startedAt = performance.now();
  const SingleBar = loadSingleBar();
  const bar: SingleBarType = new SingleBar({
    stream: stderr,
    format: '{bar} {value}/{total} files | {size} | {rate}/s | ETA {eta_formatted}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
    fps: 8,
    etaBuffer: 200,
  });
  const payload = () => {
    const seconds = (performance.now() - startedAt) / 1000;
    return { size: formatBytes(bytes), rate: formatBytes(seconds > 0 ? bytes / seconds : 0) };
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
    fileDone(size) {
      done++;
      bytes += size;
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

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
