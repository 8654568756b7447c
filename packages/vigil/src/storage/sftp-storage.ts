/**
 * The storage of a repository in a folder of another machine, over SFTP (the `ssh2` client).
 * It logs in as ssh(1) would without options: with the SSH agent (SSH_AUTH_SOCK) and the keys
 * in ~/.ssh, after checking the server's host key against ~/.ssh/known_hosts (an unknown or
 * changed key is refused, with how to trust it). Writes go to REPO/tmp/ and are renamed into
 * place with the posix-rename extension (atomic, replacing), after an fsync on the server
 * where it offers fsync@openssh.com, so a file is visible only when complete and durable.
 * Packs are staged in a local folder and uploaded from there, a window of requests in flight,
 * so memory stays bounded.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { basename, join, posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { StorageError } from '../errors.js';
import { boundedMap } from './bounded-map.js';
import type { RepositoryLocation } from './location.js';
import { formatRepositoryLocation } from './location.js';
import { withReadAhead } from './read-ahead.js';
import { DEFAULT_RETRY, type RetryPolicy, retrying } from './retry.js';
import { connectSftp, type SftpSession, type SftpTarget } from './sftp-connect.js';
import {
  END_OF_FILE,
  hasExtension,
  listTree,
  NO_SUCH_FILE,
  realpath,
  unreachable,
  windowed,
  windowedUpload,
} from './sftp-wire.js';
import { StagingFolder } from './staging-folder.js';
import type { RangeReader, RootState, Storage, WriteOptions } from './storage.js';

type SftpLocation = Extract<RepositoryLocation, { kind: 'sftp' }>;

export class SftpStorage implements Storage {
  readonly location: string;
  readonly #staging: StagingFolder;
  readonly #target: SftpTarget;
  readonly #retry: RetryPolicy;
  /** The session calls go through: replaced by a new one once its connection is lost. */
  #session: SftpSession | undefined;
  readonly #root: string;
  readonly #folders = new Set<string>();

  private constructor(
    location: SftpLocation,
    target: SftpTarget,
    session: SftpSession,
    root: string,
    retry: RetryPolicy,
  ) {
    this.location = formatRepositoryLocation(location);
    this.#target = target;
    this.#session = session;
    this.#retry = retry;
    this.#root = root;
    this.#staging = new StagingFolder('sftp');
  }

  /** Staged packs are uploaded, then removed from this machine. */
  readonly renamesIntoPlace = false;

  /** One folder per process, shared by its worker threads (staging-folder.ts), made when the first pack is. */
  get stagingDir(): string {
    return this.#staging.ensure();
  }

  /**
   * Connects and logs in; throws StorageError saying what to do when the host or the login is
   * refused. A server that cannot be reached is tried again as `retry` says (tests shorten it).
   */
  static async open(location: SftpLocation, retry: RetryPolicy = DEFAULT_RETRY): Promise<SftpStorage> {
    const target: SftpTarget = {
      host: location.host,
      port: location.port,
      user: location.user ?? userInfo().username,
      sshDir: join(homedir(), '.ssh'),
      what: formatRepositoryLocation(location),
    };
    const session = await retrying(
      `${target.what}: connecting`,
      retry,
      unreachable,
      () => {},
      () => connectSftp(target),
    );
    // A relative path is relative to the login folder, as with sftp(1).
    const root = location.path.startsWith('/')
      ? location.path
      : await realpath(session.sftp, location.path).catch(() => location.path);
    return new SftpStorage(location, target, session, root, retry);
  }

  get #sftp(): SFTPWrapper {
    if (this.#session === undefined) throw new StorageError(`${this.location}: not connected`);
    return this.#session.sftp;
  }

  /**
   * Runs `step` on the current session; when the connection was lost under it, connects again
   * (after a backoff) and runs it anew. Every step can run twice: reads read again, writes go
   * to a new temp name, removals count a file already gone as removed.
   */
  #retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    return retrying(
      `${this.location}: ${what}`,
      this.#retry,
      (error) => this.#session?.lost === true || unreachable(error),
      () => {
        this.#session?.client.end();
        this.#session = undefined;
      },
      async () => {
        if (this.#session?.lost) {
          this.#session.client.end();
          this.#session = undefined;
        }
        this.#session ??= await connectSftp(this.#target);
        return step();
      },
    );
  }

  rootState(): Promise<RootState> {
    return this.#retrying(`looking at the repository folder`, () => this.#rootState());
  }

  async #rootState(): Promise<RootState> {
    const stats = await this.#stat(this.#root);
    if (stats === undefined) return 'missing';
    if (!stats.isDirectory()) return 'not-a-folder';
    return (await this.#readdir(this.#root)).length === 0 ? 'empty' : 'not-empty';
  }

  create(folders: readonly string[]): Promise<void> {
    return this.#retrying(`making the repository`, () => this.#create(folders));
  }

  async #create(folders: readonly string[]): Promise<void> {
    if ((await this.#stat(this.#root)) === undefined)
      await this.#call('make the folder', this.#root, (cb) => this.#sftp.mkdir(this.#root, cb));
    for (const folder of folders) await this.#ensureFolder(this.#path(folder));
  }

  list(folder: string): Promise<string[]> {
    return this.#retrying(`listing ${folder}/`, () => this.#list(folder));
  }

  #list(folder: string): Promise<string[]> {
    return listTree(this.#path(folder), (dir) => this.#readdir(dir));
  }

  size(name: string): Promise<number | undefined> {
    return this.#retrying(`looking at ${name}`, () => this.#size(name));
  }

  async #size(name: string): Promise<number | undefined> {
    return (await this.#stat(this.#path(name)))?.size;
  }

  async read(name: string, maxBytes: number): Promise<Buffer> {
    const reader = await this.openReader(name);
    try {
      if (reader.size > maxBytes) {
        throw new StorageError(
          `${this.#shown(name)} is ${reader.size} bytes, more than the ${maxBytes} such a file may have`,
        );
      }
      return await reader.read(0, reader.size);
    } finally {
      await reader.close();
    }
  }

  async openReader(name: string): Promise<RangeReader> {
    const path = this.#path(name);
    // A handle belongs to one session: after a reconnection the file is opened again.
    let open: { session: SftpSession | undefined; handle: Buffer } | undefined;
    const handle = async (): Promise<Buffer> => {
      if (open !== undefined && open.session === this.#session) return open.handle;
      const fresh = await this.#call<Buffer>('open', path, (cb) => this.#sftp.open(path, 'r', cb));
      open = { session: this.#session, handle: fresh };
      return fresh;
    };
    const size = await this.#retrying(`opening ${name}`, async () => {
      const h = await handle();
      return (await this.#call<Stats>('stat', path, (cb) => this.#sftp.fstat(h, cb))).size;
    });
    const readRange = async (offset: number, length: number): Promise<Buffer> => {
      const h = await handle();
      const into = Buffer.allocUnsafe(length);
      await windowed(length, async (at, bytes) => {
        let done = 0;
        while (done < bytes) {
          const n = await this.#call<number>('read', path, (cb) =>
            this.#sftp.read(h, into, at + done, bytes - done, offset + at + done, (error, n) => cb(error, n)),
          ).catch((error: unknown) => {
            // End of file comes as an error (SSH_FX_EOF) or as 0 bytes: both mean it shrank.
            if (((error as Error).cause as { code?: number } | undefined)?.code === END_OF_FILE) return 0;
            throw error;
          });
          if (n === 0) {
            throw new StorageError(
              `${path} ends early (at ${offset + at + done} of ${size} bytes: it shrank while read)`,
            );
          }
          done += n;
        }
      });
      return into;
    };
    // Each read is a request: a second backup reads the parent's 3,600 trees 16 at once all
    // over one tree pack, 3,346 requests without read-ahead, 354 with its kept blocks.
    return withReadAhead({
      size,
      read: (offset, length) => this.#retrying(`reading ${name}`, () => readRange(offset, length)),
      close: async () => {
        if (open === undefined || open.session !== this.#session) return;
        const h = open.handle;
        await this.#call<void>('close', path, (cb) => this.#sftp.close(h, cb)).catch(() => {});
      },
    });
  }

  write(name: string, bytes: Uint8Array, options: WriteOptions = {}): Promise<void> {
    return this.#retrying(`writing ${name}`, () => this.#write(name, bytes, options));
  }

  async #write(name: string, bytes: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const temp = this.#tempPath(name);
    await this.#upload(
      temp,
      bytes.length,
      (at, length) => Buffer.from(bytes.buffer, bytes.byteOffset + at, length),
      options,
    );
    await this.#moveIn(temp, this.#path(name));
  }

  putFile(localPath: string, name: string, options: WriteOptions = {}): Promise<void> {
    return this.#retrying(`uploading ${name}`, () => this.#putFile(localPath, name, options));
  }

  async #putFile(localPath: string, name: string, options: WriteOptions = {}): Promise<void> {
    const fd = openSync(localPath, 'r');
    try {
      const size = fstatSync(fd).size;
      const temp = this.#tempPath(name);
      await this.#upload(
        temp,
        size,
        (at, length) => {
          const piece = Buffer.allocUnsafe(length);
          let done = 0;
          while (done < length) done += readSync(fd, piece, done, length - done, at + done);
          return piece;
        },
        options,
      );
      await this.#moveIn(temp, this.#path(name));
    } finally {
      closeSync(fd);
    }
    unlinkSync(localPath);
  }

  remove(name: string): Promise<boolean> {
    return this.#retrying(`removing ${name}`, () => this.#remove(name));
  }

  async #remove(name: string): Promise<boolean> {
    const path = this.#path(name);
    try {
      await this.#call<void>('remove', path, (cb) => this.#sftp.unlink(path, cb));
      return true;
    } catch (error) {
      if (error instanceof StorageError && error.missing) return false;
      throw error;
    }
  }

  /** Several unlinks in flight on the one connection (each retried as `remove` is): a round trip's wait each, overlapped. */
  async removeAll(names: readonly string[]): Promise<void> {
    await boundedMap(names, (name) => this.remove(name));
  }

  /** Every write is made durable on the server before its rename (fsync@openssh.com): nothing is left to flush. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#session?.client.end();
    this.#session = undefined;
    this.#staging.release();
  }

  /** Writes `size` bytes that `piece(at, length)` gives to `path`, a window of requests in flight, then fsyncs and closes. */
  async #upload(
    path: string,
    size: number,
    piece: (at: number, length: number) => Buffer,
    options: WriteOptions,
  ): Promise<void> {
    await this.#ensureFolder(posix.dirname(path));
    const handle = await this.#call<Buffer>('open', path, (cb) => this.#sftp.open(path, 'w', cb));
    try {
      await windowedUpload(this.#sftp, size, async (at, length) => {
        const bytes = piece(at, length);
        await this.#call<void>('write', path, (cb) => this.#sftp.write(handle, bytes, 0, length, at, cb));
      });
      if (options.durable !== false && hasExtension(this.#sftp, 'fsync@openssh.com')) {
        await this.#call<void>('fsync', path, (cb) => this.#sftp.ext_openssh_fsync(handle, cb));
      }
    } finally {
      await this.#call<void>('close', path, (cb) => this.#sftp.close(handle, cb));
    }
  }

  /** Renames the complete `temp` to `path`, replacing it atomically (posix-rename@openssh.com), making its folder if need be. */
  async #moveIn(temp: string, path: string): Promise<void> {
    await this.#ensureFolder(posix.dirname(path));
    if (hasExtension(this.#sftp, 'posix-rename@openssh.com')) {
      await this.#call<void>('rename', path, (cb) => this.#sftp.ext_openssh_rename(temp, path, cb));
      return;
    }
    // Plain SFTP rename refuses to replace: the old file goes first (only lock refreshes replace).
    await this.remove(posix.relative(this.#root, path)).catch(() => false);
    await this.#call<void>('rename', path, (cb) => this.#sftp.rename(temp, path, cb));
  }

  async #ensureFolder(folder: string): Promise<void> {
    if (this.#folders.has(folder)) return;
    if ((await this.#stat(folder)) === undefined) {
      await this.#call<void>('make the folder', folder, (cb) => this.#sftp.mkdir(folder, cb)).catch(async (error) => {
        // Made meanwhile by another writer: fine.
        if ((await this.#stat(folder))?.isDirectory() !== true) throw error;
      });
    }
    this.#folders.add(folder);
  }

  async #stat(path: string): Promise<Stats | undefined> {
    try {
      return await this.#call<Stats>('stat', path, (cb) => this.#sftp.stat(path, cb));
    } catch (error) {
      if (error instanceof StorageError && error.missing) return undefined;
      throw error;
    }
  }

  #readdir(path: string): Promise<{ filename: string; attrs: Stats }[]> {
    return this.#call('list', path, (cb) => this.#sftp.readdir(path, cb as never));
  }

  #path(name: string): string {
    return name === '' ? this.#root : posix.join(this.#root, name);
  }

  #tempPath(name: string): string {
    return posix.join(this.#root, 'tmp', `${basename(name)}-${randomBytes(6).toString('hex')}.tmp`);
  }

  #shown(name: string): string {
    return `${this.location}/${name}`;
  }

  /** One SFTP call as a promise; its failure as a StorageError naming the path (missing files told apart). */
  #call<T>(
    what: string,
    path: string,
    start: (done: (error: Error | null | undefined, value?: T) => void) => void,
  ): Promise<T> {
    const session = this.#session;
    return new Promise<T>((resolve, reject) => {
      // A request the server never answers because the connection closed must not hang:
      // it fails as "Not connected", which #retrying takes for a reason to reconnect.
      const closed = () => reject(new StorageError(`cannot ${what} ${path} on ${this.location} (Not connected)`));
      if (session === undefined || session.lost) return closed();
      session.client.once('close', closed);
      start((error, value) => {
        session.client.removeListener('close', closed);
        if (!error) resolve(value as T);
        else {
          const code = (error as { code?: number }).code;
          reject(
            new StorageError(`cannot ${what} ${path} on ${this.location} (${error.message})`, {
              cause: error,
              missing: code === NO_SUCH_FILE,
            }),
          );
        }
      });
    });
  }
}
