/**
 * Restore: one node record made real in a directory of TARGET, relative to that directory's
 * descriptor (docs/format-v2-metadata.md, "Restore"). Every call names one checked path
 * component relative to a descriptor and never follows a symlink at that name, so whatever
 * a record says and whatever TARGET holds, nothing outside TARGET is created or changed.
 *
 * Files, symlinks, FIFOs, devices and hard links are made under a short temporary name
 * (fits NAME_MAX whatever the real name's length), given their owner, attributes, mode and
 * times there, then renamed into place: a name in TARGET is complete or absent. A file
 * without extended attributes is rather made with no name at all (O_TMPFILE, with the native
 * addon) and linked into place once complete: the same promise for less kernel time. Directories
 * are made at once (their children need them) and finished later: the caller calls
 * `finish()` after the last child, so a read-only directory can still be filled and its
 * mtime is not moved by the children.
 *
 * Metadata order: owner (only with CAP_CHOWN; by name unless numericOwner), then extended
 * attributes (chown clears security.capability), then mode (chown clears setuid and
 * setgid), then times (utimensat with nanoseconds, never following a symlink).
 *
 * Without the native addon the calls are node:fs's (meta-calls-js.ts): FIFOs, devices and
 * extended attributes are notices ('special-not-restored', 'xattr-not-restored') that say
 * how to build the addon, and times are set to the microsecond.
 */
import { randomBytes } from 'node:crypto';
import { constants, fchmodSync, fchownSync, ftruncateSync, lstatSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { getSystemErrorName } from 'node:util';
import { O_PATH, procPath } from '../fs/proc-fd.js';
import { checked, isNativeMetaAddon, type MetaAddon, metaAddon } from './meta-calls.js';
import { EntryInTheWayError, showName, withoutNativeAddon } from './meta-errors.js';
import { requireSafeName, safeComponents } from './meta-names.js';
import type { MetaNode } from './metadata.js';
import { OwnerNames } from './owners.js';
import { currentPrivileges, type RestorePrivileges } from './restore-privileges.js';

/** Something restore did not do, which is not a failure: the caller reports it. */
export interface RestoreNotice {
  readonly kind: 'socket-skipped' | 'device-needs-root' | 'special-not-restored' | 'xattr-not-restored';
  readonly name: Buffer;
  readonly message: string;
}

export interface RestoreEntryOptions {
  /** --numeric-owner: owners by uid and gid, never by the names recorded. */
  readonly numericOwner?: boolean;
  readonly onNotice?: (notice: RestoreNotice) => void;
}

/** A directory made (or found) in TARGET, open; `finish()` after its children sets its metadata and closes it. */
export interface RestoredDirectory {
  readonly fd: number;
  /** Whether restore made it (so it was empty): nothing in it can be in the way. */
  readonly created: boolean;
  finish(): void;
}

/**
 * Writes a file's contents to `fd` (at any offsets: holes it skips stay holes). It may return
 * where its last byte ended: when that is the recorded size, no ftruncate is needed.
 */
export type WriteContents = (fd: number) => number | undefined | Promise<number | undefined>;

/** The addon's fstat, fchown and fchmod where the file differs, and futimens (uid -1: no chown): 0 or -errno. */
type FinishFd = (fd: number, uid: number, gid: number, mode: number, atimeNs: bigint, mtimeNs: bigint) => number;
/** O_TMPFILE in a directory (a descriptor or -errno), and linkat of such a file to `name` (0 or -errno). */
interface UnnamedFiles {
  open(dir: number, mode: number): number;
  link(fd: number, dir: number, name: Uint8Array): number;
}
interface NativeFileCalls {
  finishFd: FinishFd;
  openUnnamed: UnnamedFiles['open'];
  linkUnnamed: UnnamedFiles['link'];
}

/** The name an unnamed file's attributes would be set by: none, as it has no extended attributes. */
const NO_NAME = Buffer.alloc(0);
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const PATH_DIRECTORY = O_PATH | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** What the JavaScript calls answer for what node:fs cannot do (mknod, setxattr). */
const NOT_SUPPORTED = -osConstants.errno.EOPNOTSUPP;
/** Errors that mean "this file system or this process cannot hold that attribute". */
const XATTR_REFUSED = ['EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'ERANGE', 'ENOSPC', 'E2BIG'];

/** This process's random part of temporary names, drawn once: 8 random bytes per file cost 13 µs each. */
const TEMPORARY_PREFIX = `.vigil-r-${randomBytes(8).toString('hex')}-`;
let temporaryCount = 0;

/** `.vigil-r-`, 16 random hex digits and a count: at most 42 bytes, far below NAME_MAX, and no two alike. */
function temporaryName(): Buffer {
  temporaryCount++;
  return Buffer.from(`${TEMPORARY_PREFIX}${temporaryCount.toString(36)}`);
}

export class EntryRestorer {
  readonly #target: number;
  readonly #calls: MetaAddon;
  /** Whether #calls are the native addon's: the others cannot make FIFOs, devices or attributes. */
  readonly #native: boolean;
  readonly #privileges: RestorePrivileges;
  readonly #owners: OwnerNames;
  readonly #options: RestoreEntryOptions;
  /** The addon's calls for files made with no name and linked into place, while they work here. */
  #unnamed: UnnamedFiles | undefined;
  /** The addon's finishFd (owner, mode and times in one call), where it is built. */
  readonly #finishFd: FinishFd | undefined;
  /** Whom files this process makes belong to (a setgid directory may give them its group: finishFd checks). */
  readonly #creator = { uid: process.geteuid?.() ?? -1, gid: process.getegid?.() ?? -1 };

  /**
   * `targetFd`: TARGET's directory descriptor, from which hard-link sources are found.
   * `calls`: the metadata calls (the native addon's where it is built, else node:fs's).
   */
  constructor(targetFd: number, options: RestoreEntryOptions = {}, calls: MetaAddon = metaAddon()) {
    this.#target = targetFd;
    this.#calls = calls;
    this.#native = isNativeMetaAddon(calls);
    this.#owners = new OwnerNames(calls);
    this.#privileges = currentPrivileges();
    this.#options = options;
    const { finishFd, openUnnamed, linkUnnamed } = calls as Partial<NativeFileCalls>;
    this.#finishFd = this.#native ? finishFd : undefined;
    if (this.#native && openUnnamed !== undefined && linkUnnamed !== undefined) {
      this.#unnamed = { open: openUnnamed, link: linkUnnamed };
    }
  }

  /** Restores `node` into the directory `dirFd`; a directory comes back open, to be finished. */
  async restoreEntry(dirFd: number, node: MetaNode, contents?: WriteContents): Promise<RestoredDirectory | undefined> {
    requireSafeName(node.name, 'to restore the entry');
    if (node.type === 'dir') return this.restoreDirectory(dirFd, node);
    if (node.type === 'file' && node.linkTo) this.restoreHardLink(dirFd, node);
    else if (node.type === 'file') await this.restoreFile(dirFd, node, contents);
    else this.restoreSpecial(dirFd, node);
    return undefined;
  }

  /**
   * A regular file: contents written, cut to the recorded size, metadata set, then given its
   * name: written with no name and linked into place where the file system can (O_TMPFILE;
   * a file with extended attributes, which are set by name, or a name already taken goes
   * the other way), else under a temporary name and renamed.
   */
  async restoreFile(dirFd: number, node: MetaNode, contents?: WriteContents): Promise<void> {
    requireSafeName(node.name, 'to restore the file');
    if (this.#unnamed !== undefined && node.xattrs.length === 0) {
      const fd = this.#unnamed.open(dirFd, this.#creationMode(node));
      if (fd >= 0) {
        try {
          const end = await contents?.(fd);
          if (end !== node.size) ftruncateSync(fd, node.size);
          this.#applyMetadataThrough(fd, dirFd, NO_NAME, node);
          this.#linkUnnamed(this.#unnamed, fd, dirFd, node.name);
        } finally {
          // Never linked, the file goes with its descriptor: nothing to remove on a failure.
          this.#calls.closeDescriptor(fd);
        }
        return;
      }
      const { EOPNOTSUPP, EISDIR, EINVAL } = osConstants.errno;
      if (fd === -EOPNOTSUPP || fd === -EISDIR || fd === -EINVAL) {
        // This file system has no O_TMPFILE (EISDIR: a kernel before 3.11): files are renamed from now on.
        this.#unnamed = undefined;
      } else checked(fd, 'open', node.name);
    }
    const temporary = temporaryName();
    const fd = checked(this.#calls.openAt(dirFd, temporary, NEW_FILE, this.#creationMode(node)), 'open', node.name);
    try {
      try {
        const end = await contents?.(fd);
        // Bounded by the recorded size, and a trailing hole comes back as a hole.
        if (end !== node.size) ftruncateSync(fd, node.size);
        this.#applyMetadataThrough(fd, dirFd, temporary, node);
      } finally {
        this.#calls.closeDescriptor(fd);
      }
      checked(this.#calls.renameAt(dirFd, temporary, dirFd, node.name), 'rename', node.name);
    } catch (error) {
      this.#calls.unlinkAt(dirFd, temporary, 0);
      throw error;
    }
  }

  /** Links the unnamed file `fd` as `name`; a name already taken (--overwrite) is replaced by a rename. */
  #linkUnnamed(unnamed: UnnamedFiles, fd: number, dirFd: number, name: Buffer): void {
    const linked = unnamed.link(fd, dirFd, name);
    if (linked !== -osConstants.errno.EEXIST) return void checked(linked, 'link', name);
    const temporary = temporaryName();
    checked(unnamed.link(fd, dirFd, temporary), 'link', name);
    try {
      checked(this.#calls.renameAt(dirFd, temporary, dirFd, name), 'rename', name);
    } catch (error) {
      this.#calls.unlinkAt(dirFd, temporary, 0);
      throw error;
    }
  }

  /**
   * A symlink, FIFO or device node; a socket, a device without CAP_MKNOD, and a FIFO or
   * device without the native addon (node:fs has no mknod) are notices.
   */
  restoreSpecial(dirFd: number, node: MetaNode): void {
    requireSafeName(node.name, 'to restore the entry');
    const calls = this.#calls;
    if (node.type === 'socket') {
      this.#notice(
        'socket-skipped',
        node.name,
        `skipped the socket ${showName(node.name)}: ${node.skipped ?? 'sockets are not restored'}`,
      );
      return;
    }
    if ((node.type === 'char' || node.type === 'block') && !this.#privileges.mknod) {
      this.#notice(
        'device-needs-root',
        node.name,
        `did not make the device ${showName(node.name)}: making device nodes needs root (CAP_MKNOD)`,
      );
      return;
    }
    const temporary = temporaryName();
    let made: number;
    if (node.type === 'symlink' && node.linkTarget) made = calls.symlinkAt(node.linkTarget, dirFd, temporary);
    else if (node.type === 'fifo') made = calls.mknodAt(dirFd, temporary, S_IFIFO | 0o600, 0, 0);
    else if ((node.type === 'char' || node.type === 'block') && node.device) {
      const type = node.type === 'char' ? S_IFCHR : S_IFBLK;
      made = calls.mknodAt(dirFd, temporary, type | 0o600, node.device.major, node.device.minor);
    } else {
      throw new TypeError(`restoreSpecial: a ${node.type} record without what makes it (${showName(node.name)})`);
    }
    if (made === NOT_SUPPORTED && node.type !== 'symlink' && !this.#native) {
      const what = node.type === 'fifo' ? 'FIFO' : 'device';
      this.#notice(
        'special-not-restored',
        node.name,
        `did not make the ${what} ${showName(node.name)}: ${withoutNativeAddon('make FIFOs or device nodes')}`,
      );
      return;
    }
    checked(made, node.type === 'symlink' ? 'symlink' : 'mknod', node.name);
    try {
      this.#finishInPlace(dirFd, temporary, node);
    } catch (error) {
      calls.unlinkAt(dirFd, temporary, 0);
      throw error;
    }
  }

  /** A later path of a hard-link group: a link to `node.linkTo` (relative to TARGET), restored before. */
  restoreHardLink(dirFd: number, node: MetaNode): void {
    requireSafeName(node.name, 'to restore the hard link');
    const parts = safeComponents(node.linkTo ?? Buffer.alloc(0), 'the hard link source');
    const calls = this.#calls;
    let from = this.#target;
    try {
      for (const part of parts.slice(0, -1)) {
        const next = checked(calls.openAt(from, part, PATH_DIRECTORY, 0), 'open the link source directory', part);
        if (from !== this.#target) calls.closeDescriptor(from);
        from = next;
      }
      const temporary = temporaryName();
      checked(calls.linkAt(from, parts[parts.length - 1] as Buffer, dirFd, temporary), 'link', node.name);
      try {
        checked(calls.renameAt(dirFd, temporary, dirFd, node.name), 'rename', node.name);
      } finally {
        // rename onto a name that is already this inode does nothing and leaves `temporary`.
        calls.unlinkAt(dirFd, temporary, 0);
      }
    } finally {
      if (from !== this.#target) calls.closeDescriptor(from);
    }
  }

  /** A directory: made (or an existing one reused, never through a symlink), open for its children. */
  restoreDirectory(dirFd: number, node: MetaNode): RestoredDirectory {
    requireSafeName(node.name, 'to restore the directory');
    const calls = this.#calls;
    const made = calls.mkdirAt(dirFd, node.name, 0o700);
    if (made < 0 && getSystemErrorName(made) !== 'EEXIST') checked(made, 'mkdir', node.name);
    const fd = calls.openAt(dirFd, node.name, DIRECTORY, 0);
    if (fd < 0) {
      const code = getSystemErrorName(fd);
      if (code === 'ELOOP' || code === 'ENOTDIR') {
        const symlink = lstatSync(procPath(dirFd, node.name)).isSymbolicLink();
        throw new EntryInTheWayError(node.name, symlink ? 'a symlink' : 'an entry that is not a directory');
      }
      checked(fd, 'open', node.name);
    }
    let finished = false;
    return {
      fd,
      created: made >= 0,
      finish: () => {
        if (finished) return;
        finished = true;
        try {
          this.#applyMetadata(dirFd, node.name, node);
        } finally {
          calls.closeDescriptor(fd);
        }
      },
    };
  }

  /** Sets the recorded metadata on the entry `node.name` of `dirFd`, which TARGET already holds as recorded. */
  restoreMetadata(dirFd: number, node: MetaNode): void {
    requireSafeName(node.name, 'to restore the metadata');
    this.#applyMetadata(dirFd, node.name, node);
  }

  /** Metadata on the temporary name, then the rename that makes the entry visible. */
  #finishInPlace(dirFd: number, temporary: Buffer, node: MetaNode): void {
    this.#applyMetadata(dirFd, temporary, node);
    checked(this.#calls.renameAt(dirFd, temporary, dirFd, node.name), 'rename', node.name);
  }

  /**
   * #applyMetadata on the descriptor a file was written through, in the same order: three
   * fewer path lookups per file than by name (extended attributes still go by name).
   */
  #applyMetadataThrough(fd: number, dirFd: number, name: Buffer, node: MetaNode): void {
    const calls = this.#calls;
    if (this.#finishFd !== undefined && node.xattrs.length === 0) {
      const { uid, gid } = this.#privileges.chown ? this.#ownerOf(node) : { uid: -1, gid: -1 };
      // On a failure, the calls one by one below say which one failed.
      if (this.#finishFd(fd, uid, gid, node.mode & 0o7777, node.atimeNs, node.mtimeNs) === 0) return;
    }
    if (this.#privileges.chown) {
      const { uid, gid } = this.#ownerOf(node);
      fchownSync(fd, uid, gid);
    }
    this.#applyXattrs(dirFd, name, node);
    fchmodSync(fd, node.mode);
    checked(calls.utimesFd(fd, node.atimeNs, node.mtimeNs), 'futimens', node.name);
  }

  #applyMetadata(dirFd: number, name: Buffer, node: MetaNode): void {
    const calls = this.#calls;
    if (this.#privileges.chown) {
      const { uid, gid } = this.#ownerOf(node);
      checked(calls.chownAt(dirFd, name, uid, gid), 'chown', node.name);
    }
    this.#applyXattrs(dirFd, name, node);
    // A symlink's mode is not used on Linux and cannot be set.
    if (node.type !== 'symlink') checked(calls.chmodAt(dirFd, name, node.mode), 'chmod', node.name);
    checked(calls.utimesAt(dirFd, name, node.atimeNs, node.mtimeNs), 'utimensat', node.name);
  }

  #applyXattrs(dirFd: number, name: Buffer, node: MetaNode): void {
    const calls = this.#calls;
    for (const { name: attribute, value } of node.xattrs) {
      const result = calls.setXattrAt(dirFd, name, attribute, value);
      if (result >= 0) continue;
      const code = getSystemErrorName(result);
      if (!XATTR_REFUSED.includes(code)) checked(result, 'setxattr', node.name);
      const why = result === NOT_SUPPORTED && !this.#native ? withoutNativeAddon('set extended attributes') : code;
      this.#notice(
        'xattr-not-restored',
        node.name,
        `did not restore the attribute ${showName(attribute)} of ${showName(node.name)}: ${why}`,
      );
    }
  }

  /**
   * The mode a new file is made with: its recorded permissions when it is made with its
   * recorded owner already (or cannot be given one), so finishFd need not fchmod it; else
   * 0600, so nobody reads it before it has its owner.
   */
  #creationMode(node: MetaNode): number {
    if (this.#privileges.chown) {
      const { uid, gid } = this.#ownerOf(node);
      if (uid !== this.#creator.uid || gid !== this.#creator.gid) return 0o600;
    }
    return node.mode & 0o777;
  }

  #ownerOf(node: MetaNode): { uid: number; gid: number } {
    if (this.#options.numericOwner) return { uid: node.uid, gid: node.gid };
    const uid = node.user === undefined ? undefined : this.#owners.userId(node.user);
    const gid = node.group === undefined ? undefined : this.#owners.groupId(node.group);
    return { uid: uid ?? node.uid, gid: gid ?? node.gid };
  }

  #notice(kind: RestoreNotice['kind'], name: Buffer, message: string): void {
    this.#options.onNotice?.({ kind, name, message });
  }
}
