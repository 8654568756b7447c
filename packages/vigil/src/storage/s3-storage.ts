/**
 * The storage of a repository in a bucket of an S3-compatible object store (the
 * `@aws-sdk/client-s3` client, s3-client.ts says how it is configured). Each file of the
 * repository is one object, its key the file's path below the location's prefix.
 *
 * A single PUT is atomic: an object becomes visible only once its upload is complete, so
 * writes need no temporary name. Packs are staged in a local folder and streamed from disk
 * by one PUT each (16 MiB at most, far below S3's 5 GiB limit for a single PUT, so multipart
 * uploads would only add requests); each worker thread uploads one pack at a time, so the
 * uploads in flight are bounded by the workers and memory by a stream's buffer.
 */

import { createReadStream, statSync, unlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageError } from '../errors.js';
import { boundedMap } from './bounded-map.js';
import { formatRepositoryLocation, type RepositoryLocation } from './location.js';
import { withReadAhead } from './read-ahead.js';
import { DEFAULT_RETRY, type RetryPolicy, retrying } from './retry.js';
import { DEFAULT_REGION, s3Client } from './s3-client.js';
import { explainRefusal, isNoSuchBucket, isNotFound, isTransient, missingBucket, s3Code } from './s3-errors.js';
import { StagingFolder } from './staging-folder.js';
import type { RangeReader, RootState, Storage } from './storage.js';

type S3Location = Extract<RepositoryLocation, { kind: 's3' }>;

/** Keys per listing request: S3's maximum (tests ask for fewer, to page through a small folder). */
const LIST_PAGE = 1000;

/** Keys per DeleteObjects request: S3's maximum. */
const DELETE_BATCH = 1000;

export interface S3Options {
  readonly retry?: RetryPolicy;
  /** Keys per listing request. */
  readonly pageSize?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export class S3Storage implements Storage {
  readonly location: string;
  readonly #staging: StagingFolder;
  readonly #client: S3Client;
  readonly #bucket: string;
  /** "" or "some/prefix/": what every key starts with. */
  readonly #prefix: string;
  readonly #where: { what: string; bucket: string; endpoint: string; region: string };
  readonly #retry: RetryPolicy;
  readonly #pageSize: number;
  /** The bucket was missing when opened: only `vigil init` (rootState, create) goes on. */
  #bucketMissing: boolean;

  private constructor(location: S3Location, client: S3Client, region: string, options: S3Options, missing: boolean) {
    this.location = formatRepositoryLocation(location);
    this.#client = client;
    this.#bucket = location.bucket;
    this.#prefix = location.prefix === '' ? '' : `${location.prefix}/`;
    this.#where = { what: this.location, bucket: location.bucket, endpoint: location.endpoint, region };
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#pageSize = options.pageSize ?? LIST_PAGE;
    this.#bucketMissing = missing;
    this.#staging = new StagingFolder('s3');
  }

  /** Staged packs are uploaded, then removed from this machine. */
  readonly renamesIntoPlace = false;

  /** One folder per process, shared by its worker threads (staging-folder.ts), made when the first pack is. */
  get stagingDir(): string {
    return this.#staging.ensure();
  }

  /**
   * Makes the client and lists the bucket, which checks the credentials before any work:
   * refused ones, or the wrong region, are a StorageError saying what to set. A server that
   * cannot be reached is tried again as `retry` says (tests shorten it).
   */
  static async open(location: S3Location, options: S3Options = {}): Promise<S3Storage> {
    const what = formatRepositoryLocation(location);
    const { client, region } = s3Client(location.endpoint, what, options.env);
    const where = { what, bucket: location.bucket, endpoint: location.endpoint, region };
    try {
      // A listing of one key rather than a HEAD of the bucket: a HEAD's refusal has no body,
      // so it cannot tell a wrong key from a missing permission, or a missing bucket from a
      // wrong endpoint; a GET's error says which.
      const missing = await retrying(`${what}: connecting`, options.retry ?? DEFAULT_RETRY, isTransient, noop, () =>
        client.send(new ListObjectsV2Command({ Bucket: location.bucket, MaxKeys: 1 })).then(
          () => false,
          (error: unknown) => {
            if (isNoSuchBucket(error)) return true;
            throw explainRefusal(error, where) ?? error;
          },
        ),
      );
      return new S3Storage(location, client, region, options, missing);
    } catch (error) {
      client.destroy();
      throw error instanceof StorageError ? error : failed(what, 'reach the bucket', location.bucket, error);
    }
  }

  async rootState(): Promise<RootState> {
    if (this.#bucketMissing) return 'missing';
    const page = await this.#send('looking at the repository', '', () =>
      this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, MaxKeys: 1 })),
    );
    return (page.KeyCount ?? page.Contents?.length ?? 0) === 0 ? 'empty' : 'not-empty';
  }

  /** Creates the bucket if it is missing (as restic's init does); S3 has no folders to make. */
  async create(): Promise<void> {
    if (!this.#bucketMissing) return;
    const region = this.#where.region;
    await this.#send('making the bucket', '', () =>
      this.#client
        .send(
          new CreateBucketCommand({
            Bucket: this.#bucket,
            // us-east-1 is the one region that must not be named.
            ...(region === DEFAULT_REGION
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
          }),
        )
        .catch((error: unknown) => {
          // Made meanwhile (by an earlier try of ours that timed out, or another init): fine.
          if (s3Code(error) !== 'BucketAlreadyOwnedByYou') throw error;
        }),
    );
    this.#bucketMissing = false;
  }

  async list(folder: string): Promise<string[]> {
    this.#needBucket();
    const prefix = folder === '' ? this.#prefix : `${this.#key(folder)}/`;
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#send(`listing ${folder}/`, folder, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            MaxKeys: this.#pageSize,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        // A key ending in "/" is a folder marker some tools make, not a file.
        if (object.Key?.startsWith(prefix) && !object.Key.endsWith('/')) found.push(object.Key.slice(prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found;
  }

  async size(name: string): Promise<number | undefined> {
    this.#needBucket();
    return this.#head(name, `looking at ${name}`);
  }

  async read(name: string, maxBytes: number): Promise<Buffer> {
    this.#needBucket();
    return this.#send(`reading ${name}`, name, async () => {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) }));
      if ((object.ContentLength ?? 0) > maxBytes) {
        (object.Body as Readable | undefined)?.destroy();
        throw new StorageError(
          `${this.#shown(name)} is ${object.ContentLength} bytes, more than the ${maxBytes} such a file may have`,
        );
      }
      return bodyBytes(object.Body);
    });
  }

  async openReader(name: string): Promise<RangeReader> {
    this.#needBucket();
    const size = await this.#head(name, `opening ${name}`);
    if (size === undefined) {
      throw new StorageError(`cannot read ${this.#shown(name)} (no such object)`, { missing: true });
    }
    // Every range is a request of its own (nothing is held open): reads in a row are served
    // from a window fetched ahead (read-ahead.ts).
    return withReadAhead({
      size,
      read: (offset, length) => this.#readRange(name, size, offset, length),
      close: async () => {},
    });
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    this.#needBucket();
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    await this.#send(`writing ${name}`, name, () =>
      this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(name), Body: body, ContentLength: body.length }),
      ),
    );
  }

  async putFile(localPath: string, name: string): Promise<void> {
    this.#needBucket();
    const size = statSync(localPath).size;
    await this.#send(`uploading ${name}`, name, async () => {
      // A stream per try: a retried upload starts again from the beginning of the file.
      const body = createReadStream(localPath);
      try {
        await this.#client.send(
          new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(name), Body: body, ContentLength: size }),
        );
      } finally {
        body.destroy();
      }
    });
    unlinkSync(localPath);
  }

  async remove(name: string): Promise<boolean> {
    this.#needBucket();
    // DELETE answers the same whether the object was there or not: a HEAD tells which.
    if ((await this.#head(name, `looking at ${name}`)) === undefined) return false;
    await this.#send(`removing ${name}`, name, () =>
      this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) })),
    );
    return true;
  }

  /**
   * DeleteObjects, a request per 1000 keys (a few in flight), where `remove` takes a HEAD and
   * a DELETE per object: prune's removal of hundreds of packs becomes one request. S3 counts
   * a key already gone as deleted, which is what this call promises. The answer lists the
   * keys it could not delete (a 200 with errors inside): the first is thrown, naming it.
   */
  async removeAll(names: readonly string[]): Promise<void> {
    this.#needBucket();
    const batches: string[][] = [];
    for (let at = 0; at < names.length; at += DELETE_BATCH) batches.push(names.slice(at, at + DELETE_BATCH));
    await boundedMap(
      batches,
      async (batch) => {
        const answer = await this.#send(`removing ${batch.length} files`, batch[0] as string, () =>
          this.#client.send(
            new DeleteObjectsCommand({
              Bucket: this.#bucket,
              Delete: { Objects: batch.map((name) => ({ Key: this.#key(name) })), Quiet: true },
            }),
          ),
        );
        const refused = answer.Errors?.[0];
        if (refused !== undefined) {
          throw new StorageError(
            `${this.location}: removing ${batch.length} files: the server did not remove ${refused.Key} ` +
              `(${refused.Code}: ${refused.Message})${answer.Errors && answer.Errors.length > 1 ? ` nor ${answer.Errors.length - 1} more` : ''}`,
          );
        }
      },
      4,
    );
  }

  /**
   * Nothing to do: S3 acknowledges a PUT or a DELETE only once the server has stored it
   * durably (AWS: across several devices), so every write is durable when it returns.
   */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#client.destroy();
    this.#staging.release();
  }

  async #readRange(name: string, size: number, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    const early = () =>
      new StorageError(
        `${this.#shown(name)} ends early (asked for ${length} bytes at ${offset} of ${size}: it shrank while read)`,
      );
    if (offset + length > size) throw early();
    const bytes = await this.#send(`reading ${name}`, name, async () => {
      const object = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(name),
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
      return bodyBytes(object.Body);
    }).catch((error: unknown) => {
      if (s3Code((error as Error).cause) === 'InvalidRange') throw early();
      throw error;
    });
    if (bytes.length !== length) throw early();
    return bytes;
  }

  /** The size of object `name`, or undefined when there is none. */
  #head(name: string, what: string): Promise<number | undefined> {
    return this.#send(what, name, () =>
      this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) })).then(
        (head) => head.ContentLength ?? 0,
        (error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        },
      ),
    );
  }

  /**
   * Runs one request, retried while its failure may pass; a refusal is told as what to do, a
   * missing object as the not-found StorageError other storages throw, anything else names
   * the object and the server's reason.
   */
  async #send<T>(what: string, name: string, step: () => Promise<T>): Promise<T> {
    try {
      return await retrying(`${this.location}: ${what}`, this.#retry, isTransient, noop, step);
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw explainRefusal(error, this.#where) ?? failed(this.location, what, this.#key(name), error);
    }
  }

  #needBucket(): void {
    if (this.#bucketMissing) throw missingBucket(this.#where);
  }

  #key(name: string): string {
    return `${this.#prefix}${name}`;
  }

  #shown(name: string): string {
    return `${this.location}/${name}`;
  }
}

function noop(): void {}

function failed(location: string, what: string, key: string, error: unknown): StorageError {
  const code = s3Code(error);
  const message = (error as Error).message;
  return new StorageError(
    `${location}: ${what} (object ${key}) failed: ${code}${message && message !== code ? `: ${message}` : ''}`,
    { cause: error, missing: isNotFound(error) },
  );
}

/** The whole body of a response, as a Buffer over the bytes the SDK collected. */
async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0);
  const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
