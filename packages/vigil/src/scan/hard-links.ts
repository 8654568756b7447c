/**
 * Hard links: one inode is read once per run, whichever of its names the walk meets first.
 *
 * Workers hand back (unread) any file with more than one link. The first name of an inode
 * becomes its reader and is sent again with permission to read; the other names wait for
 * that digest. An inode is forgotten once all its links were seen, so memory holds only
 * inodes with links still ahead in the walk (or outside the tree).
 */

export interface LinkedName {
  readonly seq: number;
  readonly path: Buffer;
  /** How to read it again (its PathFlag bits and root prefix length). */
  readonly flags: number;
  readonly base: number;
}

export type LinkOutcome =
  | { readonly kind: 'hashed'; readonly digest: Buffer; readonly size: number }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

interface Inode {
  reader: LinkedName | undefined;
  outcome: LinkOutcome | undefined;
  waiting: LinkedName[];
  seen: number;
  readonly nlink: number;
}

export class HardLinkRegistry {
  readonly #inodes = new Map<string, Inode>();

  /**
   * A worker met `name`, a file with `nlink` links. Returns what to do: read it (it is the
   * inode's reader), the known outcome, or `wait` for the reader's outcome.
   */
  meet(
    key: string,
    nlink: number,
    name: LinkedName,
  ):
    | { readonly action: 'read' }
    | { readonly action: 'wait' }
    | { readonly action: 'done'; readonly outcome: LinkOutcome } {
    let inode = this.#inodes.get(key);
    if (inode === undefined) {
      inode = { reader: name, outcome: undefined, waiting: [], seen: 1, nlink };
      this.#inodes.set(key, inode);
      return { action: 'read' };
    }
    inode.seen++;
    if (inode.outcome !== undefined) {
      this.#forgetIfComplete(key, inode);
      return { action: 'done', outcome: inode.outcome };
    }
    if (inode.reader === undefined) {
      inode.reader = name;
      return { action: 'read' };
    }
    inode.waiting.push(name);
    return { action: 'wait' };
  }

  /**
   * The reader of `key` finished. On success, returns the names that waited for it. On
   * failure the next waiting name becomes the reader (its directory may allow what the
   * first one's did not) and is returned as `nextReader`.
   */
  settle(
    key: string,
    outcome: LinkOutcome,
  ): { readonly resolved: readonly LinkedName[]; readonly nextReader: LinkedName | undefined } {
    const inode = this.#inodes.get(key);
    if (inode === undefined) return { resolved: [], nextReader: undefined };
    if (outcome.kind === 'hashed') {
      inode.outcome = outcome;
      inode.reader = undefined;
      const resolved = inode.waiting;
      inode.waiting = [];
      this.#forgetIfComplete(key, inode);
      return { resolved, nextReader: undefined };
    }
    inode.reader = inode.waiting.shift();
    if (inode.reader === undefined && inode.seen >= inode.nlink) this.#inodes.delete(key);
    return { resolved: [], nextReader: inode.reader };
  }

  /** Inodes still remembered (for tests and memory notes). */
  get size(): number {
    return this.#inodes.size;
  }

  #forgetIfComplete(key: string, inode: Inode): void {
    if (inode.seen >= inode.nlink && inode.waiting.length === 0) this.#inodes.delete(key);
  }
}
