/**
 * Test helpers for metadata capture and restore: a miniature backup and restore of a whole
 * tree through node records (capture, encode, decode, restore), with hard links recorded
 * as the backup will (the first path once, later paths as links to it), and the lstat view
 * of a tree that the tests compare.
 */
import { execFileSync } from 'node:child_process';
import {
  type BigIntStats,
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { procPath } from '../../src/fs/proc-fd.js';
import { type MetaAddon, metaAddon } from '../../src/repo/meta-calls.js';
import { captureEntry, type MetaNode } from '../../src/repo/metadata.js';
import { decodeNode, encodeNode } from '../../src/repo/metadata-codec.js';
import { OwnerNames } from '../../src/repo/owners.js';
import { EntryRestorer, type RestoreEntryOptions, type RestoreNotice } from '../../src/repo/restore-entry.js';

const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** The ids of this machine's "nobody" and "nogroup": owners a test can give without making an account. */
export const NOBODY = Number(tool('id', '-u', 'nobody').trim());
export const NOGROUP = Number(tool('getent', 'group', 'nogroup').split(':')[2]);

/** Opens a directory (never through a symlink) as restore takes it: a descriptor the caller closes. */
export function openDirectory(path: string): number {
  return openSync(path, DIRECTORY);
}

/**
 * Every record of `source` in walk order (parents before children), as stored: encoded and
 * decoded. `calls`: the metadata calls to capture with (metaAddon()'s by default).
 */
export function captureTree(source: string, calls: MetaAddon = metaAddon()): { path: Buffer; node: MetaNode }[] {
  const owners = new OwnerNames(calls);
  const firstPaths = new Map<string, Buffer>();
  const out: { path: Buffer; node: MetaNode }[] = [];
  const visit = (dirFd: number, prefix: Buffer | undefined) => {
    const names = readdirSync(procPath(dirFd), { encoding: 'buffer' }).sort(Buffer.compare);
    for (const name of names) {
      const path = prefix ? Buffer.concat([prefix, Buffer.from('/'), name]) : name;
      let node = captureEntry(dirFd, name, owners, calls);
      if (node.linkIdentity) {
        const key = `${node.linkIdentity.dev}:${node.linkIdentity.ino}`;
        const first = firstPaths.get(key);
        if (first) node = { ...node, linkTo: first };
        else firstPaths.set(key, path);
      }
      out.push({ path, node: decodeNode(encodeNode(node)) });
      if (node.type === 'dir') {
        const fd = openSync(procPath(dirFd, name), DIRECTORY);
        visit(fd, path);
        closeSync(fd);
      }
    }
  };
  const root = openDirectory(source);
  visit(root, undefined);
  closeSync(root);
  return out;
}

/** Restores the records of captureTree(source) into `target`, file contents read from `source`. */
export async function restoreTree(
  source: string,
  records: { path: Buffer; node: MetaNode }[],
  target: string,
  options: RestoreEntryOptions = {},
  calls: MetaAddon = metaAddon(),
): Promise<RestoreNotice[]> {
  const notices: RestoreNotice[] = [];
  const targetFd = openDirectory(target);
  const restorer = new EntryRestorer(targetFd, { ...options, onNotice: (notice) => notices.push(notice) }, calls);
  // The open directories of the path being restored: [path, directory] from TARGET down.
  const open: { path: Buffer; finish?: () => void; fd: number }[] = [{ path: Buffer.alloc(0), fd: targetFd }];
  for (const { path, node } of records) {
    const parent = path.subarray(0, Math.max(0, path.lastIndexOf(0x2f)));
    while (!(open.at(-1) as { path: Buffer }).path.equals(parent)) open.pop()?.finish?.();
    const dirFd = (open.at(-1) as { fd: number }).fd;
    const contents = (fd: number) => {
      const data = readFileSync(Buffer.concat([Buffer.from(`${source}/`), path]));
      // Write only the non-zero 4 KiB blocks: the holes stay holes (a sparse file comes back sparse).
      for (let at = 0; at < data.length; at += 4096) {
        const block = data.subarray(at, at + 4096);
        if (block.some((byte) => byte !== 0)) writeSync(fd, block, 0, block.length, at);
      }
    };
    const restored = await restorer.restoreEntry(dirFd, node, contents);
    if (restored) open.push({ path, fd: restored.fd, finish: restored.finish });
  }
  while (open.length > 1) open.pop()?.finish?.();
  closeSync(targetFd);
  return notices;
}

/** What the tests compare of an entry. */
export interface EntryView {
  readonly type: string;
  readonly mode: bigint;
  readonly uid: bigint;
  readonly gid: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly rdev: bigint;
  readonly nlink: bigint;
}

/** lstat of every entry under `root` by relative path (bytes as latin1), and each one's inode. */
export function lstatTree(root: string): Map<string, { view: EntryView; stat: BigIntStats }> {
  const out = new Map<string, { view: EntryView; stat: BigIntStats }>();
  const visit = (dir: Buffer, prefix: string) => {
    for (const name of readdirSync(dir, { encoding: 'buffer' })) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const stat = lstatSync(full, { bigint: true });
      const relative = prefix + name.toString('latin1');
      const type = stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'symlink' : stat.isFile() ? 'file' : 'special';
      out.set(relative, {
        stat,
        view: {
          type,
          mode: stat.mode,
          uid: stat.uid,
          gid: stat.gid,
          size: type === 'dir' ? 0n : stat.size,
          mtimeNs: stat.mtimeNs,
          rdev: stat.rdev,
          nlink: stat.nlink,
        },
      });
      if (stat.isDirectory()) visit(full, `${relative}/`);
    }
  };
  visit(Buffer.from(root), '');
  return out;
}

/** `getfattr -d -m - -h -e hex` of a path: every attribute, independently of vigil's reader. */
export function getfattr(path: string): string {
  const out = execFileSync('getfattr', ['-d', '-m', '-', '-h', '-e', 'hex', '--absolute-names', path], {
    encoding: 'latin1',
  });
  return out.replace(/^# file: .*\n/m, '');
}

/** Runs a system tool; a missing one fails the test saying how to install it. */
export function tool(command: string, ...args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${command} is not installed: run scripts/install-system-deps.sh (as root)`);
    }
    throw error;
  }
}
