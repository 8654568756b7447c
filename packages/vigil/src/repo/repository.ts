/**
 * A format-2 repository on disk: its config, its keys, and the folders the other modules of
 * repo/ write into (docs/format-v2-storage.md, format-v2-crypto.md, format-v2-trees.md):
 *
 *   REPO/vigil-repository.json   the config: format 2, repository id, encryption, chunker
 *                                parameters (written last at init: a folder without it is
 *                                an init that did not finish)
 *   REPO/keys/<SHA-256>          key files: the master keys sealed under a password
 *   REPO/data/XX/<pack id>       packs        REPO/index/<index id>    index files
 *   REPO/snapshots/<SHA-256>     snapshot files
 *   REPO/tmp/                    files being written
 *
 * The config keeps the name of format 1's marker on purpose: a vigil that reads only format 1
 * finds it and says "has repository format 2; this vigil reads 1", and this one finds a
 * format-1 marker and says how to move (restore, then back up into a new repository).
 *
 * A repository made with `--no-encryption` has no key files: its master keys are in the
 * config, in the clear. Everything is still sealed with them, so the code path is one and
 * every blob is still authenticated against damage; only the secrecy is gone, as asked.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RepositoryError, StorageError } from '../errors.js';
import { openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/storage.js';
import { type BlobIdHasher, createBlobIdHasher } from './blob-id.js';
import { type ChunkerParams, checkChunkerParams, DEFAULT_CHUNKER_PARAMS, gearTable } from './chunker-params.js';
import {
  createKeyFile,
  createMasterKeys,
  MAX_KEY_FILE_BYTES,
  type MasterKeys,
  openAnyKeyFile,
  type ScryptParams,
} from './keys.js';
import { createSealer, KEY_BYTES, type Sealer } from './sealer.js';

export const CONFIG_NAME = 'vigil-repository.json';
export const REPOSITORY_FORMAT_2 = 2;
/** The largest config a reader accepts: it is a few hundred bytes. */
const MAX_CONFIG_BYTES = 64 * 1024;
const HEX_ID = /^[0-9a-f]{64}$/;
const FOLDERS = ['data', 'index', 'keys', 'snapshots', 'tmp'] as const;

export type Encryption = 'aes-256-gcm' | 'none';

/** The config file's fields (docs/format-v2-trees.md, "The config"). */
export interface RepositoryConfig {
  readonly format: 2;
  /** 32 hex digits, random: tells repositories apart in messages and caches. */
  readonly id: string;
  readonly encryption: Encryption;
  readonly chunker: ChunkerParams;
  /** Only when `encryption` is "none": base64 of encryption || id || chunkerSeed. */
  readonly masterKeys?: string;
  readonly created: string;
  readonly host: string;
}

/** The secrets and parameters a worker needs to write or read blobs (plain data: it crosses to workers). */
export interface RepositorySecrets {
  /** The repository's location (storage/location.ts): each worker opens its own storage from it. */
  readonly root: string;
  readonly encryptionKey: Uint8Array;
  readonly idKey: Uint8Array;
  readonly chunkerSeed: Uint8Array;
  readonly chunker: ChunkerParams;
}

export interface InitOptions {
  /** The password of the first key; undefined makes a repository without encryption. */
  readonly password?: string | undefined;
  readonly scrypt?: ScryptParams;
}

export interface OpenOptions {
  /** Asked only when the repository is encrypted (a prompt must not appear for a plain one). */
  readonly password: () => Promise<string>;
}

export class Repository {
  /** How messages name the repository: its absolute path or its URL (the storage's location). */
  readonly root: string;
  /** Where its files are: nothing in repo/ or above knows which backend this is. */
  readonly storage: Storage;
  readonly config: RepositoryConfig;
  /** The key file that opened it (undefined without encryption). */
  readonly keyId: string | undefined;
  readonly sealer: Sealer;
  readonly ids: BlobIdHasher;
  readonly #keys: MasterKeys;
  #gear: Uint32Array | undefined;

  private constructor(storage: Storage, config: RepositoryConfig, keys: MasterKeys, keyId: string | undefined) {
    this.storage = storage;
    this.root = storage.location;
    this.config = config;
    this.keyId = keyId;
    this.#keys = keys;
    this.sealer = createSealer(keys.encryption);
    this.ids = createBlobIdHasher(keys.id);
  }

  /**
   * Makes a repository at `path` (missing, or an empty directory): folders first, then the
   * key file, then the config last, each durable.
   */
  static async init(path: string | Storage, options: InitOptions = {}): Promise<Repository> {
    const storage = typeof path === 'string' ? await openStorage(path) : path;
    try {
      return await Repository.#init(storage, options);
    } catch (error) {
      await storage.close();
      throw error;
    }
  }

  static async #init(storage: Storage, options: InitOptions): Promise<Repository> {
    await checkStorageEmpty(storage);
    await storage.create(FOLDERS);
    let keys: MasterKeys;
    let keyId: string | undefined;
    const encrypted = options.password !== undefined;
    if (options.password !== undefined) {
      const made = await createKeyFile(options.password, options.scrypt ? { scrypt: options.scrypt } : {});
      keys = made.masterKeys;
      keyId = made.keyId;
      await storage.write(`keys/${keyId}`, Buffer.from(made.json));
    } else {
      keys = createMasterKeys();
    }
    const config: RepositoryConfig = {
      format: REPOSITORY_FORMAT_2,
      id: randomBytes(16).toString('hex'),
      encryption: encrypted ? 'aes-256-gcm' : 'none',
      chunker: { ...DEFAULT_CHUNKER_PARAMS },
      ...(encrypted ? {} : { masterKeys: joinKeys(keys).toString('base64') }),
      created: new Date().toISOString(),
      host: hostname(),
    };
    await storage.write(CONFIG_NAME, Buffer.from(`${JSON.stringify(config, null, 2)}\n`));
    return new Repository(storage, config, keys, keyId);
  }

  /**
   * Opens the repository at `path` (or in storage already opened, which it then owns: closed
   * on failure); throws RepositoryError (not one, format 1, damaged config) or the keys' errors.
   */
  static async open(path: string | Storage, options: OpenOptions): Promise<Repository> {
    const storage = typeof path === 'string' ? await openStorage(path) : path;
    try {
      const config = await readConfig(storage);
      if (config.encryption === 'none') {
        return new Repository(
          storage,
          config,
          splitKeys(Buffer.from(config.masterKeys as string, 'base64')),
          undefined,
        );
      }
      const keyFiles = await readKeyFiles(storage);
      const password = await options.password();
      const opened = await openAnyKeyFile(keyFiles, password, storage.location);
      return new Repository(storage, config, opened.masterKeys, opened.keyId);
    } catch (error) {
      await storage.close();
      throw error;
    }
  }

  /** Ends the storage's connections (a remote repository's); the repository is unusable after. */
  close(): Promise<void> {
    return this.storage.close();
  }

  /** What workers need to seal, name and chunk blobs of this repository. */
  get secrets(): RepositorySecrets {
    return {
      root: this.root,
      encryptionKey: this.#keys.encryption,
      idKey: this.#keys.id,
      chunkerSeed: this.#keys.chunkerSeed,
      chunker: this.config.chunker,
    };
  }

  /** The master keys, for writing another key file of this repository (repo/key-store.ts). */
  get masterKeys(): MasterKeys {
    return this.#keys;
  }

  /** The chunker's gear table, made from the secret seed once. */
  get gear(): Uint32Array {
    this.#gear ??= gearTable(this.#keys.chunkerSeed);
    return this.#gear;
  }

  get encrypted(): boolean {
    return this.config.encryption !== 'none';
  }
}

/** Whether `storage` holds a repository of either format (for commands that make one when there is none). */
export async function holdsRepository(storage: Storage): Promise<boolean> {
  // A missing root (an S3 bucket) holds no file to look for.
  if ((await storage.rootState()) === 'missing') return false;
  return (await storage.size(CONFIG_NAME)) !== undefined;
}

/**
 * The location of `path`, as messages name it, if a repository may be made there (it is
 * missing, or an empty folder); throws RepositoryError otherwise. `vigil init` asks it before
 * prompting for a password, so nobody types one twice only to be refused.
 */
export async function checkInitTarget(path: string): Promise<string> {
  const storage = await openStorage(path);
  try {
    await checkStorageEmpty(storage);
    return storage.location;
  } finally {
    await storage.close();
  }
}

async function checkStorageEmpty(storage: Storage): Promise<void> {
  const root = storage.location;
  // Asked first: where the root is missing (an S3 bucket), no file can be looked for in it.
  const state = await storage.rootState();
  if (state === 'missing') return;
  if ((await storage.size(CONFIG_NAME)) !== undefined) {
    throw new RepositoryError(`${root} is a vigil repository already: back up into it, or pick another path`);
  }
  if (state === 'not-empty' || state === 'not-a-folder') {
    throw new RepositoryError(`${root} exists and is not an empty directory: pick a new or empty one`);
  }
}

/** Reads and checks the config; format 1 and unknown formats are refused with the way out. */
export async function readConfig(storage: Storage): Promise<RepositoryConfig> {
  const root = storage.location;
  const path = configPath(root);
  let text: string;
  try {
    const size = await storage.size(CONFIG_NAME);
    if (size === undefined) throw new StorageError(`no ${CONFIG_NAME}`, { missing: true });
    if (size > MAX_CONFIG_BYTES) throw new RepositoryError(`${path} is too big to be a vigil config`);
    text = (await storage.read(CONFIG_NAME, MAX_CONFIG_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof StorageError && error.missing) {
      throw new RepositoryError(
        `${root} is not a vigil repository (no ${CONFIG_NAME}): make one with vigil init ${root}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RepositoryError(`${path} is not JSON: the repository's config is damaged`, { cause: error });
  }
  const config = value as Omit<Partial<RepositoryConfig>, 'format'> & { format?: unknown };
  if (typeof value !== 'object' || value === null) throw damagedConfig(path, 'not an object');
  if (config.format === 1) {
    throw new RepositoryError(
      `${root} is a format-1 repository, written by an earlier vigil; this vigil reads and writes format 2 ` +
        '(chunked, compressed, encrypted). To move: restore its snapshots with the vigil that wrote it, ' +
        'then back them up into a new repository',
    );
  }
  if (config.format !== REPOSITORY_FORMAT_2) {
    throw new RepositoryError(
      `${root} has repository format ${JSON.stringify(config.format)}; this vigil reads format 2: ` +
        (typeof config.format === 'number' && config.format > 2 ? 'upgrade vigil' : 'the config is damaged'),
    );
  }
  if (typeof config.id !== 'string' || !/^[0-9a-f]{32}$/.test(config.id)) throw damagedConfig(path, 'its id');
  if (config.encryption !== 'aes-256-gcm' && config.encryption !== 'none') {
    throw damagedConfig(path, `an unknown encryption ${JSON.stringify(config.encryption)}`);
  }
  if (config.encryption === 'none') {
    const keys = typeof config.masterKeys === 'string' ? Buffer.from(config.masterKeys, 'base64') : undefined;
    if (keys === undefined || keys.length !== 3 * KEY_BYTES || keys.toString('base64') !== config.masterKeys) {
      throw damagedConfig(path, 'the master keys of a repository without encryption');
    }
  } else if (config.masterKeys !== undefined) {
    throw damagedConfig(path, 'master keys in the clear beside encryption');
  }
  try {
    checkChunkerParams(config.chunker as ChunkerParams);
  } catch (error) {
    throw damagedConfig(path, `its chunker parameters (${(error as Error).message})`);
  }
  return config as RepositoryConfig;
}

function damagedConfig(path: string, what: string): RepositoryError {
  return new RepositoryError(`${path} is damaged: ${what} is not valid; the repository cannot be opened`);
}

/** Every key file under keys/ (names that are not 64 hex digits are not key files). */
export async function readKeyFiles(storage: Storage): Promise<{ keyId: string; json: string }[]> {
  const names = (await storage.list('keys')).filter((name) => HEX_ID.test(name)).sort();
  const files: { keyId: string; json: string }[] = [];
  for (const keyId of names) {
    const size = await storage.size(`keys/${keyId}`);
    if (size === undefined) continue;
    files.push({
      keyId,
      json: size > MAX_KEY_FILE_BYTES ? '' : (await storage.read(`keys/${keyId}`, MAX_KEY_FILE_BYTES)).toString('utf8'),
    });
  }
  return files;
}

/** How messages name the config file: a path, or the location and the name. */
function configPath(root: string): string {
  return `${root}/${CONFIG_NAME}`;
}

function joinKeys(keys: MasterKeys): Buffer {
  return Buffer.concat([keys.encryption, keys.id, keys.chunkerSeed]);
}

function splitKeys(bytes: Buffer): MasterKeys {
  return {
    encryption: bytes.subarray(0, KEY_BYTES),
    id: bytes.subarray(KEY_BYTES, 2 * KEY_BYTES),
    chunkerSeed: bytes.subarray(2 * KEY_BYTES, 3 * KEY_BYTES),
  };
}
