/**
 * The storage of a repository in a folder of this machine. Calls are synchronous inside their
 * promises on purpose: each is a few microseconds on a local disk, and going through libuv's
 * thread pool would cost more than the call (the repository code was synchronous before and
 * measured so). Writes go to tmp/ first and are renamed into place, fsynced unless the
 * caller flushes later (a backup syncs the file system once for all its packs).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StorageError } from '../errors.js';
import { flushFileSystem, fsyncPath } from './local-durable.js';
import { makeRepositoryRoot } from './local-root.js';
import type { RangeReader, RootState, Storage, WriteOptions } from './storage.js';

export class LocalStorage implements Storage {
  readonly location: string;
  readonly stagingDir: string;
  /** REPO/tmp is on the repository's file system: putFile is a rename. */
  readonly renamesIntoPlace = true;
  readonly #root: string;

  /** `root` is absolute (location.ts resolves it). */
  constructor(root: string) {
    this.#root = root;
    this.location = root;
    this.stagingDir = join(root, 'tmp');
  }

  async rootState(): Promise<RootState> {
    if (!existsSync(this.#root)) return 'missing';
    if (!statSync(this.#root).isDirectory()) return 'not-a-folder';
    return readdirSync(this.#root).length === 0 ? 'empty' : 'not-empty';
  }

  async create(folders: readonly string[]): Promise<void> {
    makeRepositoryRoot(this.#root);
    for (const folder of folders) mkdirSync(join(this.#root, folder), { recursive: true });
    fsyncPath(this.#root);
  }

  async list(folder: string): Promise<string[]> {
    const found: string[] = [];
    const visit = (dir: string, prefix: string): void => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        if (prefix === '' && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw this.#failed('list', join(dir), error);
      }
      for (const entry of entries) {
        if (entry.isDirectory()) visit(join(dir, entry.name), `${prefix}${entry.name}/`);
        else found.push(`${prefix}${entry.name}`);
      }
    };
    visit(this.#path(folder), '');
    return found;
  }

  async size(name: string): Promise<number | undefined> {
    try {
      return statSync(this.#path(name)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#failed('stat', this.#path(name), error);
    }
  }

  async read(name: string, maxBytes: number): Promise<Buffer> {
    const path = this.#path(name);
    const reader = this.#open(path);
    try {
      if (reader.size > maxBytes) {
        throw new StorageError(`${path} is ${reader.size} bytes, more than the ${maxBytes} such a file may have`);
      }
      return await reader.read(0, reader.size);
    } finally {
      await reader.close();
    }
  }

  async openReader(name: string): Promise<RangeReader> {
    return this.#open(this.#path(name));
  }

  async write(name: string, bytes: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const path = this.#path(name);
    const temp = this.#tempPath(name);
    try {
      const fd = openSync(temp, 'wx', 0o644);
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
        if (options.durable !== false) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.#ensureFolder(dirname(path), options.durable !== false);
      renameSync(temp, path);
      if (options.durable !== false) fsyncPath(dirname(path));
    } catch (error) {
      try {
        unlinkSync(temp);
      } catch {}
      throw this.#failed('write', path, error);
    }
  }

  async putFile(localPath: string, name: string, options: WriteOptions = {}): Promise<void> {
    const path = this.#path(name);
    try {
      if (options.durable !== false) fsyncPath(localPath);
      this.#ensureFolder(dirname(path), options.durable !== false);
      renameSync(localPath, path);
      if (options.durable !== false) fsyncPath(dirname(path));
    } catch (error) {
      throw this.#failed('write', path, error);
    }
  }

  async remove(name: string, options: WriteOptions = {}): Promise<boolean> {
    try {
      unlinkSync(this.#path(name));
      if (options.durable !== false) fsyncPath(dirname(this.#path(name)));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.#failed('remove', this.#path(name), error);
    }
  }

  /** One unlink after another: a local disk answers at once, and the folders are flushed together once. */
  async removeAll(names: readonly string[], options: WriteOptions = {}): Promise<void> {
    for (const name of names) await this.remove(name, { durable: false });
    if (options.durable !== false && names.length > 0) await this.flush(names);
  }

  async flush(names: readonly string[]): Promise<void> {
    const paths = names.map((name) => this.#path(name));
    flushFileSystem(this.#root, () => {
      for (const path of paths) if (existsSync(path)) fsyncPath(path);
      const folders = new Set(paths.map((p) => dirname(p)));
      for (const folder of folders) fsyncPath(folder);
      for (const parent of new Set([...folders].map((f) => dirname(f))))
        if (parent.startsWith(this.#root)) fsyncPath(parent);
    });
  }

  async close(): Promise<void> {}

  #path(name: string): string {
    return name === '' ? this.#root : join(this.#root, name);
  }

  #tempPath(name: string): string {
    mkdirSync(this.stagingDir, { recursive: true });
    return join(this.stagingDir, `${basename(name)}-${randomBytes(6).toString('hex')}.tmp`);
  }

  /** Makes a file's folder (data/XX) once; a new folder's entry in its parent is made durable too. */
  #ensureFolder(folder: string, durable: boolean): void {
    const made = mkdirSync(folder, { recursive: true });
    if (made === undefined || !durable) return;
    fsyncPath(dirname(made));
    if (made !== folder) fsyncPath(dirname(folder));
  }

  #open(path: string): RangeReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      throw this.#failed('read', path, error);
    }
    const size = fstatSync(fd).size;
    return {
      size,
      read: async (offset, length) => {
        const into = Buffer.allocUnsafe(length);
        let done = 0;
        while (done < length) {
          const n = readSync(fd, into, done, length - done, offset + done);
          if (n === 0)
            throw new StorageError(`${path} ends early (at ${offset + done} of ${size} bytes: it shrank while read)`);
          done += n;
        }
        return into;
      },
      close: async () => closeSync(fd),
    };
  }

  #failed(what: string, path: string, error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    return new StorageError(`cannot ${what} ${path} (${code ?? (error as Error).message})`, {
      cause: error,
      missing: code === 'ENOENT',
    });
  }
}
