/**
 * Key files and master keys (docs/format-v2-crypto.md, "Key files"). A repository has one set
 * of master keys, made at init; each key file holds them sealed under a key derived from one
 * password by scrypt, so several key files (several passwords) can open one repository, as
 * restic's `key add`. A key file is JSON; its id is the SHA-256 of its bytes (its file name in
 * the repository), so a key file cannot change without changing its name.
 *
 * Everything in a key file is validated before use: scrypt's cost parameters are bounded so a
 * hostile file cannot make us allocate gigabytes or spin for hours, lengths are exact, and the
 * master keys are accepted only once AES-256-GCM has authenticated them.
 */
import { createHash, randomBytes, scrypt } from 'node:crypto';
import { VigilError } from '../errors.js';
import { KEY_BYTES, openBytes, SEAL_OVERHEAD, SealedBlobError, sealBytes } from './sealer.js';

/** The repository's secrets (docs/format-v2-crypto.md, "Master keys"). */
export interface MasterKeys {
  /** AES-256-GCM key of every sealed blob. */
  readonly encryption: Buffer;
  /** Key of the keyed BLAKE3 that names blobs. */
  readonly id: Buffer;
  /** Seed of the chunker's gear table. */
  readonly chunkerSeed: Buffer;
}

/** scrypt's cost parameters, as a key file records them. */
export interface ScryptParams {
  /** CPU/memory cost: a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism (Node computes it sequentially: it multiplies time, not memory). */
  readonly p: number;
}

/**
 * What new key files use: 64 MiB (128·N·r bytes, the most the issue allows) and 0.3-0.5 s on
 * this project's machines (2-core AMD EPYC, shared; docs/benchmarks.md). Recorded in each key
 * file, so a later default can grow without breaking older files.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 16, r: 8, p: 1 };

/**
 * The bounds a key file's parameters must keep: at most 256 MiB of scrypt memory and 32 times
 * the default's work (N·r·p), so a hostile file cannot make us allocate gigabytes or spin for
 * minutes, while a future default may still grow 4 times in memory and 32 in work.
 */
export const SCRYPT_LIMITS = {
  minLogN: 10,
  maxLogN: 20,
  maxR: 32,
  maxP: 16,
  maxMemoryBytes: 256 * 2 ** 20,
  maxWork: 32 * DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r * DEFAULT_SCRYPT.p,
} as const;

export const KEY_FILE_VERSION = 1;
/** A key file is a few hundred bytes; anything longer is refused before it is parsed. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;
export const SALT_BYTES = 32;
/** The sealed master keys' plaintext: encryption || id || chunkerSeed. */
const MASTER_KEYS_BYTES = 3 * KEY_BYTES;
/** Associated data of the sealed master keys: binds them to this use and format version. */
const KEY_FILE_AAD = Buffer.from(`vigil-v2:key-file:${KEY_FILE_VERSION}`);

/** A key file as stored, before its fields are trusted. */
export interface KeyFileJson {
  readonly version: number;
  readonly kdf: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** Base64, SALT_BYTES bytes. */
  readonly salt: string;
  /** Base64: nonce || AES-256-GCM(encryption || id || chunkerSeed) || tag. */
  readonly masterKeys: string;
  /** ISO 8601, informative only. */
  readonly created: string;
}

/** Where a key file came from, for messages ("wrong password for REPO's key KEYID"). */
export interface KeyFileOrigin {
  readonly repo: string;
  /** The key file's id (its name in the repository): it must be the SHA-256 of its bytes. */
  readonly keyId?: string;
}

/** A key file is malformed: not JSON, a field missing or out of its range, lengths wrong. */
export class KeyFileError extends VigilError {
  constructor(message: string) {
    super('ERR_VIGIL_KEY_FILE', message);
  }
}

/** The password does not open a key file (or the file's sealed part was altered: the two look alike). */
export class WrongPasswordError extends VigilError {
  /** The key file tried (the first one, when several were). */
  readonly keyId: string;
  /** How many key files were tried. */
  readonly tried: number;
  constructor(repo: string, keyId: string, cause: unknown, tried = 1) {
    const which =
      tried === 1 ? `${repo}'s key ${keyId.slice(0, 16)}` : `${repo}: none of its ${tried} keys opens with it`;
    super(
      'ERR_VIGIL_WRONG_PASSWORD',
      `wrong password for ${which}: the master keys do not decrypt with it (or the key file was altered); ` +
        'check VIGIL_PASSWORD, VIGIL_PASSWORD_FILE or --password-file',
      { cause },
    );
    this.keyId = keyId;
    this.tried = tried;
  }
}

/** Fresh random master keys, for a new repository. */
export function createMasterKeys(): MasterKeys {
  const bytes = randomBytes(MASTER_KEYS_BYTES);
  return splitMasterKeys(bytes);
}

/** A key file's id: the SHA-256 of its bytes, 64 hex characters. */
export function keyFileId(json: string | Uint8Array): string {
  return createHash('sha256').update(json).digest('hex');
}

/**
 * A new key file sealing `masterKeys` (fresh ones when omitted: a new repository) under
 * `password`. Returns its text, its id and the master keys it holds.
 */
export async function createKeyFile(
  password: string,
  options: { masterKeys?: MasterKeys; scrypt?: ScryptParams; now?: Date } = {},
): Promise<{ json: string; keyId: string; masterKeys: MasterKeys }> {
  if (password.length === 0) throw new KeyFileError('refusing an empty password: choose a non-empty one');
  const params = options.scrypt ?? DEFAULT_SCRYPT;
  checkScryptParams(params, 'createKeyFile');
  const masterKeys = options.masterKeys ?? createMasterKeys();
  for (const name of ['encryption', 'id', 'chunkerSeed'] as const) {
    if (masterKeys[name].length !== KEY_BYTES) {
      throw new RangeError(`createKeyFile: master key ${name} must be ${KEY_BYTES} bytes`);
    }
  }
  const salt = randomBytes(SALT_BYTES);
  const wrappingKey = await deriveKey(password, salt, params);
  const plain = Buffer.concat([masterKeys.encryption, masterKeys.id, masterKeys.chunkerSeed]);
  const file: KeyFileJson = {
    version: KEY_FILE_VERSION,
    kdf: 'scrypt',
    N: params.N,
    r: params.r,
    p: params.p,
    salt: salt.toString('base64'),
    masterKeys: sealBytes(wrappingKey, plain, KEY_FILE_AAD).toString('base64'),
    created: (options.now ?? new Date()).toISOString(),
  };
  const json = `${JSON.stringify(file, null, 2)}\n`;
  return { json, keyId: keyFileId(json), masterKeys };
}

/** The master keys a key file holds, opened with `password`. */
export async function openKeyFile(json: string, password: string, origin: KeyFileOrigin): Promise<MasterKeys> {
  const keyId = keyFileId(json);
  if (origin.keyId !== undefined && origin.keyId !== keyId) {
    throw new KeyFileError(
      `${origin.repo}'s key file ${origin.keyId.slice(0, 16)} is not named by the SHA-256 of its bytes ` +
        `(${keyId.slice(0, 16)}): it was altered or renamed; open with another key`,
    );
  }
  const file = parseKeyFile(json, `${origin.repo}'s key file ${keyId.slice(0, 16)}`);
  const wrappingKey = await deriveKey(password, file.salt, file.params);
  let plain: Buffer;
  try {
    plain = openBytes(wrappingKey, file.sealed, KEY_FILE_AAD, 'the master keys');
  } catch (error) {
    if (error instanceof SealedBlobError) throw new WrongPasswordError(origin.repo, keyId, error);
    throw error;
  }
  return splitMasterKeys(plain);
}

/**
 * The master keys from whichever of a repository's key files `password` opens, tried in the
 * order given (each try costs one scrypt). A damaged key file is skipped while another may
 * open; if none does, the error is the wrong password (or, if every file is damaged, the
 * first file's damage).
 */
export async function openAnyKeyFile(
  keyFiles: readonly { readonly keyId: string; readonly json: string }[],
  password: string,
  repo: string,
): Promise<{ keyId: string; masterKeys: MasterKeys }> {
  if (keyFiles.length === 0)
    throw new KeyFileError(`${repo} has no key files: it is not a format-2 repository, or its keys/ folder was lost`);
  let wrong: WrongPasswordError | undefined;
  let damaged: KeyFileError | undefined;
  for (const { keyId, json } of keyFiles) {
    try {
      return { keyId, masterKeys: await openKeyFile(json, password, { repo, keyId }) };
    } catch (error) {
      if (error instanceof WrongPasswordError) wrong ??= error;
      else if (error instanceof KeyFileError) damaged ??= error;
      else throw error;
    }
  }
  if (wrong !== undefined && keyFiles.length > 1) {
    throw new WrongPasswordError(repo, wrong.keyId, wrong, keyFiles.length);
  }
  throw wrong ?? damaged!;
}

/** A key file's fields, each checked; throws KeyFileError naming `what` and the first bad field. */
export function parseKeyFile(
  json: string,
  what: string,
): { version: number; params: ScryptParams; salt: Buffer; sealed: Buffer } {
  if (json.length > MAX_KEY_FILE_BYTES) {
    throw new KeyFileError(
      `${what} is ${json.length} characters, over the ${MAX_KEY_FILE_BYTES} a key file may be: it is damaged`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new KeyFileError(`${what} is not JSON (${(error as Error).message}): it is damaged; open with another key`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeyFileError(`${what} is not a JSON object: it is damaged; open with another key`);
  }
  const file = value as Record<string, unknown>;
  const bad = (field: string, expected: string) =>
    new KeyFileError(`${what} has a bad "${field}" (${expected}): it is damaged or not a vigil key file`);
  if (file.version !== KEY_FILE_VERSION) {
    if (Number.isInteger(file.version) && (file.version as number) > KEY_FILE_VERSION) {
      throw new KeyFileError(
        `${what} is of version ${file.version}, newer than this vigil reads (${KEY_FILE_VERSION}): upgrade vigil`,
      );
    }
    throw bad('version', `expected ${KEY_FILE_VERSION}`);
  }
  if (file.kdf !== 'scrypt') throw bad('kdf', 'expected "scrypt"');
  for (const field of ['N', 'r', 'p'] as const) {
    if (!Number.isSafeInteger(file[field])) throw bad(field, 'expected an integer');
  }
  const params = { N: file.N as number, r: file.r as number, p: file.p as number };
  const problem = scryptParamsProblem(params);
  if (problem !== undefined) throw bad('N/r/p', problem);
  const salt = decodeBase64(file.salt);
  if (salt?.length !== SALT_BYTES) throw bad('salt', `expected ${SALT_BYTES} bytes in base64`);
  const sealed = decodeBase64(file.masterKeys);
  if (sealed?.length !== SEAL_OVERHEAD + MASTER_KEYS_BYTES) {
    throw bad('masterKeys', `expected ${SEAL_OVERHEAD + MASTER_KEYS_BYTES} bytes in base64`);
  }
  return { version: KEY_FILE_VERSION, params, salt, sealed };
}

/** Why `params` is outside SCRYPT_LIMITS, or undefined when it is within. */
export function scryptParamsProblem({ N, r, p }: ScryptParams): string | undefined {
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < SCRYPT_LIMITS.minLogN || logN > SCRYPT_LIMITS.maxLogN) {
    return `N must be a power of two from 2^${SCRYPT_LIMITS.minLogN} to 2^${SCRYPT_LIMITS.maxLogN}, not ${N}`;
  }
  if (!Number.isInteger(r) || r < 1 || r > SCRYPT_LIMITS.maxR) return `r must be 1 to ${SCRYPT_LIMITS.maxR}, not ${r}`;
  if (!Number.isInteger(p) || p < 1 || p > SCRYPT_LIMITS.maxP) return `p must be 1 to ${SCRYPT_LIMITS.maxP}, not ${p}`;
  if (scryptMemory({ N, r, p }) > SCRYPT_LIMITS.maxMemoryBytes) {
    return `N·r needs ${scryptMemory({ N, r, p }) / 2 ** 20} MiB, over the ${SCRYPT_LIMITS.maxMemoryBytes / 2 ** 20} MiB allowed`;
  }
  if (N * r * p > SCRYPT_LIMITS.maxWork) return `N·r·p is ${N * r * p}, over the ${SCRYPT_LIMITS.maxWork} allowed`;
  return undefined;
}

function checkScryptParams(params: ScryptParams, caller: string): void {
  const problem = scryptParamsProblem(params);
  if (problem !== undefined) throw new RangeError(`${caller}: scrypt parameters out of range: ${problem}`);
}

/** scrypt's memory: 128·N·r bytes for its table (p lanes run one after another in Node). */
function scryptMemory({ N, r }: ScryptParams): number {
  return 128 * N * r;
}

/** The 32-byte wrapping key, derived off the main thread (libuv's pool). */
function deriveKey(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem: scrypt's table plus Node's small working buffers (its default cap is 32 MiB).
  const maxmem = scryptMemory(params) + 2 ** 20 + 128 * params.r * params.p;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function splitMasterKeys(bytes: Buffer): MasterKeys {
  return {
    encryption: bytes.subarray(0, KEY_BYTES),
    id: bytes.subarray(KEY_BYTES, 2 * KEY_BYTES),
    chunkerSeed: bytes.subarray(2 * KEY_BYTES, 3 * KEY_BYTES),
  };
}

/** Strict base64: undefined unless `value` is a string that round-trips. */
function decodeBase64(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}
