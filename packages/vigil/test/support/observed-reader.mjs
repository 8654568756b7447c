/**
 * Test only: a FileReader (src/fs/reader.ts) that lets a test watch and disturb reads, in the
 * worker that reads. The reader under it is the one the run would use (the native addon, or
 * the JavaScript one under VIGIL_NATIVE=0), built so that something can happen between a
 * file's read and its second fstat:
 *   - native: the addon built with read/fstat/close wrapped (test/native/observe_reads.c)
 *   - JavaScript: the same, through the FileOps it is constructed with
 * At that moment the file's path goes to VIGIL_TEST_READ_LOG, and a file named "*grows"
 * grows. Right after each read, a file named "*shrinks" is truncated to what was read of it. Before each batch call, this wrapper also:
 *   - VIGIL_TEST_CRASH_ON=TEXT: exits the worker when a file to read has TEXT in its path
 *   - a file to read named "*blocks": writes READING to stderr and waits for the file
 *     VIGIL_TEST_RELEASE to appear (a minute at most)
 *   - VIGIL_TEST_THREAD_LOG=FILE: appends "main" or "worker", a tab and the paths the call
 *     takes (comma-separated), so a test can see which thread read what
 *   - VIGIL_TEST_SWAP=DIR:OUTSIDE: before the first call naming a path under DIR, replaces
 *     DIR with a symlink to OUTSIDE (DIR moves to DIR.moved): the parent swap of issue 20
 */
import { appendFileSync, existsSync, readlinkSync, renameSync, symlinkSync, truncateSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { decodePaths } from '../../dist/fs/file-list.js';
import { JsReader, NODE_FILE_OPS } from '../../dist/fs/js-reader.js';
import { NativeReader } from '../../dist/fs/reader.js';

const require = createRequire(import.meta.url);

function afterRead(fd) {
  const path = readlinkSync(`/proc/self/fd/${fd}`);
  if (process.env.VIGIL_TEST_READ_LOG) appendFileSync(process.env.VIGIL_TEST_READ_LOG, `${path}\n`);
  if (path.endsWith('grows')) appendFileSync(path, 'more');
}

/** A file named "*shrinks" loses all past the `readSoFar` bytes read of it, as if truncated mid-read. */
function shrinkAfterRead(fd, readSoFar) {
  const path = readlinkSync(`/proc/self/fd/${fd}`);
  if (path.endsWith('shrinks')) truncateSync(path, readSoFar);
}

/** node:fs, with afterRead between a descriptor's read and its next fstat. */
export function observedOps() {
  const read = new Set();
  /** Per descriptor: bytes read so far (the reader reads from the file position, in order). */
  const readSoFar = new Map();
  return {
    open: NODE_FILE_OPS.open,
    read(fd, into, offset, length) {
      const n = NODE_FILE_OPS.read(fd, into, offset, length);
      read.add(fd);
      readSoFar.set(fd, (readSoFar.get(fd) ?? 0) + n);
      if (n > 0) shrinkAfterRead(fd, readSoFar.get(fd));
      return n;
    },
    fstat(fd) {
      if (read.delete(fd)) afterRead(fd);
      return NODE_FILE_OPS.fstat(fd);
    },
    close(fd) {
      read.delete(fd);
      readSoFar.delete(fd);
      NODE_FILE_OPS.close(fd);
    },
  };
}

/** The reader the run would use, built to be observed. */
export function innerReader() {
  if (process.env.VIGIL_NATIVE === '0') return new JsReader(observedOps());
  return new NativeReader(require('../native/build/Release/vigil_native_observed.node'));
}

function waitForRelease() {
  writeSync(2, 'READING\n');
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const release = process.env.VIGIL_TEST_RELEASE ?? '/nonexistent';
  for (let i = 0; i < 3000 && !existsSync(release); i++) Atomics.wait(cell, 0, 0, 20);
}

function swapParent(paths) {
  const [dir, outside] = (process.env.VIGIL_TEST_SWAP ?? '').split(':');
  if (!dir || !paths.some((p) => p.startsWith(`${dir}/`))) return;
  try {
    renameSync(dir, `${dir}.moved`);
    symlinkSync(outside, dir);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error; // another worker swapped it first
  }
}

/** Runs the disturbances for the paths a call is about to take (from the cursor on). */
function beforeCall(list, cursor, reads) {
  const paths = decodePaths(list.paths)
    .slice(cursor[0])
    .map((p) => p.toString('latin1'));
  swapParent(paths);
  if (!reads) return;
  if (process.env.VIGIL_TEST_THREAD_LOG) {
    appendFileSync(process.env.VIGIL_TEST_THREAD_LOG, `${isMainThread ? 'main' : 'worker'}\t${paths.join(',')}\n`);
  }
  const crashOn = process.env.VIGIL_TEST_CRASH_ON;
  if (crashOn && paths.some((p) => p.includes(crashOn))) process.exit(70);
  if (paths.some((p) => p.endsWith('blocks'))) waitForRelease();
}

export function observedReader() {
  const inner = innerReader();
  return {
    readFiles(list, buffers, ...rest) {
      beforeCall(list, buffers.cursor, true);
      inner.readFiles(list, buffers, ...rest);
    },
    closeLarge(fd) {
      inner.closeLarge(fd);
    },
    hashFiles(list, buffers, ...rest) {
      beforeCall(list, buffers.cursor, true);
      inner.hashFiles(list, buffers, ...rest);
    },
    statFiles(list, buffers) {
      beforeCall(list, buffers.cursor, false);
      inner.statFiles(list, buffers);
    },
    get readsXattrs() {
      return inner.readsXattrs;
    },
    xattrFiles(list, buffers) {
      beforeCall(list, buffers.cursor, false);
      inner.xattrFiles(list, buffers);
    },
    canHash(algorithm) {
      return inner.canHash(algorithm);
    },
  };
}
