/**
 * The repository on disk:
 *
 *   REPO/vigil-repository.json   what this is (format version), written once at init
 *   REPO/lock                    the run holding the repository (see lock.ts)
 *   REPO/objects/ab/abcdef...    file contents by BLAKE3 (64 hex), each stored once
 *   REPO/snapshots/<id>.jsonl.gz one record per snapshot (see manifest.ts)
 *   REPO/tmp/                    work in progress: temp objects and records of the running run
 *   REPO/prune-pending           marks a forget/prune that did not finish (orphans may remain)
 *
 * Names outside tmp/ only ever appear by rename after their contents are durable, so
 * whatever a crash leaves behind is under tmp/ (removed by the next run holding the lock)
 * or an object no snapshot references (removed by the next prune).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { RepositoryError } from '../errors.js';
import { fsyncDirectory, writeFileDurably } from './durable.js';

export const REPOSITORY_FORMAT = 1;
const MARKER = 'vigil-repository.json';

export class Repository {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** Opens an existing repository; throws RepositoryError if `path` is not one. */
  static open(path: string): Repository {
    const root = resolve(path);
    let marker: { format?: number };
    try {
      marker = JSON.parse(readFileSync(join(root, MARKER), 'utf8')) as { format?: number };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new RepositoryError(
        code === 'ENOENT'
          ? `${root} is not a vigil repository (no ${MARKER}): make one with vigil backup SRC --to ${path}`
          : `cannot read ${join(root, MARKER)} (${code ?? String(error)})`,
        { cause: error },
      );
    }
    if (marker.format !== REPOSITORY_FORMAT) {
      throw new RepositoryError(
        `${root} has repository format ${marker.format}; this vigil reads ${REPOSITORY_FORMAT}`,
      );
    }
    return new Repository(root);
  }

  /** Opens the repository at `path`, making it first if the path is missing or an empty directory. */
  static openOrInit(path: string): Repository {
    const root = resolve(path);
    if (existsSync(join(root, MARKER))) return Repository.open(root);
    if (existsSync(root) && (!statSync(root).isDirectory() || readdirSync(root).length > 0)) {
      throw new RepositoryError(
        `${root} exists and is not an empty directory nor a vigil repository: pick another --to`,
      );
    }
    mkdirSync(root, { recursive: true });
    for (const dir of ['objects', 'snapshots', 'tmp']) mkdirSync(join(root, dir), { recursive: true });
    for (let i = 0; i < 256; i++)
      mkdirSync(join(root, 'objects', i.toString(16).padStart(2, '0')), { recursive: true });
    fsyncDirectory(join(root, 'objects'));
    fsyncDirectory(root);
    // The marker comes last: a directory without it is an init that did not finish.
    const body = `${JSON.stringify({ format: REPOSITORY_FORMAT, created: new Date().toISOString(), host: hostname() })}\n`;
    writeFileDurably(join(root, `${MARKER}.tmp`), join(root, MARKER), body);
    return new Repository(root);
  }

  /** Whether no object is stored at all (a new repository, or one pruned empty). */
  hasNoObjects(): boolean {
    for (const prefix of readdirSync(this.objectsDir)) {
      if (readdirSync(join(this.objectsDir, prefix)).length > 0) return false;
    }
    return true;
  }

  get objectsDir(): string {
    return join(this.root, 'objects');
  }
  get snapshotsDir(): string {
    return join(this.root, 'snapshots');
  }
  get tmpDir(): string {
    return join(this.root, 'tmp');
  }
  get lockPath(): string {
    return join(this.root, 'lock');
  }
  get prunePendingPath(): string {
    return join(this.root, 'prune-pending');
  }

  objectPath(hash: string): string {
    return objectPathIn(this.root, hash);
  }

  /**
   * Removes what an interrupted run left under tmp/ (call with the lock held). Returns
   * whether anything was there: then objects of that run may be orphans, worth a prune.
   */
  cleanLeftovers(): boolean {
    const leftovers = readdirSync(this.tmpDir);
    for (const name of leftovers) rmSync(join(this.tmpDir, name), { recursive: true, force: true });
    return leftovers.length > 0 || existsSync(this.prunePendingPath);
  }
}

/** Where the object with this hash lives (also used inside workers, which have no Repository). */
export function objectPathIn(root: string, hash: string): string {
  return `${root}/objects/${hash.slice(0, 2)}/${hash}`;
}
