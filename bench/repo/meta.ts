/**
 * Metadata capture and restore (packages/vigil/src/repo/: issue 18, format 2), per entry,
 * against peers in the same run on the same tree: a tree of small files (one byte each, one
 * in ten with a user.* attribute, 1000 per directory) is
 *   - captured (lstat, owner names, xattrs, encoded and decoded as a repository stores it)
 *     vs `find -printf` of type, owner names, mode, mtime and size (lstat + names, no xattrs);
 *   - restored into an empty TARGET (temporary name, owner, xattrs, mode, ns times, rename)
 *     vs `cp -a --preserve=all` (contents, owner, mode, times, xattrs).
 * Prints a markdown table. Run as root (owners are restored only with CAP_CHOWN):
 *
 *   npm run build && node --import tsx bench/repo/meta.ts [files]
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { procPath } from '../../packages/vigil/src/fs/proc-fd.js';
import { captureEntry, type MetaNode } from '../../packages/vigil/src/repo/metadata.js';
import { decodeNode, encodeNode } from '../../packages/vigil/src/repo/metadata-codec.js';
import { OwnerNames } from '../../packages/vigil/src/repo/owners.js';
import { EntryRestorer } from '../../packages/vigil/src/repo/restore-entry.js';

const FILES = Number(process.argv[2] ?? 20_000);
const PER_DIRECTORY = 1000;
const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const scratch = mkdtempSync(join(tmpdir(), 'vigil-bench-meta-'));

function seconds(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function secondsAsync(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function makeTree(root: string): void {
  mkdirSync(root);
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `d${Math.floor(i / PER_DIRECTORY)}`);
    if (i % PER_DIRECTORY === 0) mkdirSync(dir);
    const file = join(dir, `f${i}`);
    writeFileSync(file, 'x');
    if (i % 10 === 0) execFileSync('setfattr', ['-n', 'user.bench', '-v', 'v', file]);
  }
}

type Record = { path: string; node: MetaNode };

function capture(root: string): Record[] {
  const owners = new OwnerNames();
  const out: Record[] = [];
  const rootFd = openSync(root, DIRECTORY);
  for (const dirName of readdirSync(root, { encoding: 'buffer' }).sort(Buffer.compare)) {
    out.push({ path: `${dirName}`, node: decodeNode(encodeNode(captureEntry(rootFd, dirName, owners))) });
    const dirFd = openSync(procPath(rootFd, dirName), DIRECTORY);
    for (const name of readdirSync(procPath(dirFd), { encoding: 'buffer' }).sort(Buffer.compare)) {
      out.push({ path: `${dirName}/${name}`, node: decodeNode(encodeNode(captureEntry(dirFd, name, owners))) });
    }
    closeSync(dirFd);
  }
  closeSync(rootFd);
  return out;
}

async function restore(records: Record[], target: string): Promise<void> {
  mkdirSync(target);
  const targetFd = openSync(target, DIRECTORY);
  const restorer = new EntryRestorer(targetFd);
  let open: { fd: number; finish(): void } | undefined;
  for (const { node } of records) {
    if (node.type === 'dir') {
      open?.finish();
      open = restorer.restoreDirectory(targetFd, node);
      continue;
    }
    await restorer.restoreFile(open?.fd ?? targetFd, node, (fd) => {
      writeSync(fd, 'x');
    });
  }
  open?.finish();
  closeSync(targetFd);
}

const source = join(scratch, 'source');
makeTree(source);
execFileSync('sync');
const findSeconds = seconds(() => {
  execFileSync('find', [source, '-printf', '%y %u %g %m %T@ %s\n'], { maxBuffer: 1 << 30 });
});
let records: Record[] = [];
const captureSeconds = seconds(() => {
  records = capture(source);
});
const cpSeconds = seconds(() => execFileSync('cp', ['-a', '--preserve=all', source, join(scratch, 'cp')]));
const restoreSeconds = await secondsAsync(() => restore(records, join(scratch, 'restored')));
rmSync(scratch, { recursive: true, force: true });

const entries = records.length;
const rate = (s: number) => `${Math.round(entries / s).toLocaleString('en')}/s`;
console.log(
  `${entries} entries (${FILES} one-byte files, 1 in 10 with a user.* attribute), ${cpus().length} cores, Node ${process.version}\n`,
);
console.log('| step | vigil (src/repo) | peer | vigil / peer time |');
console.log('|---|---|---|---|');
console.log(
  `| capture | ${captureSeconds.toFixed(2)} s (${rate(captureSeconds)}) | find -printf: ${findSeconds.toFixed(2)} s | ${(captureSeconds / findSeconds).toFixed(2)}x |`,
);
console.log(
  `| restore | ${restoreSeconds.toFixed(2)} s (${rate(restoreSeconds)}) | cp -a --preserve=all: ${cpSeconds.toFixed(2)} s | ${(restoreSeconds / cpSeconds).toFixed(2)}x |`,
);
