/**
 * The key files of an open format-2 repository, for `vigil key` (docs/format-v2-crypto.md,
 * "Key files"): list them with their fields, write another for the same master keys under a
 * new password, remove one. A key file is written durably (a temp name under tmp/, fsync,
 * rename, fsync of keys/) and removed durably (unlink, fsync of keys/), so after a crash a
 * key file either exists whole or does not exist.
 *
 * What is read back is checked before it is shown: a file whose bytes do not hash to its name,
 * or whose fields are out of range, is listed as damaged with the reason, never trusted.
 */
import { RepositoryError, UsageError, VigilError } from '../errors.js';
import { createKeyFile, KeyFileError, keyFileId, MAX_KEY_FILE_BYTES, parseKeyFile, type ScryptParams } from './keys.js';
import type { Repository } from './repository.js';

/** A key file's name: the SHA-256 of its bytes (other names under keys/ are not key files). */
const KEY_NAME = /^[0-9a-f]{64}$/;
/** The shortest KEYID prefix `key remove` takes: 8 hex digits, as a mistyped id then rarely names another key. */
export const MIN_KEY_PREFIX = 8;
/** How many hex digits of a key's id messages and listings show (its KEYID). */
export const KEY_ID_DIGITS = 16;

/** One key file as `vigil key list` shows it. */
export interface KeyInfo {
  /** The file's name under keys/: 64 hex digits (the first KEY_ID_DIGITS are its KEYID). */
  readonly name: string;
  /** Whether this key opened the repository now. */
  readonly current: boolean;
  /** When it was made, as the file says (informative: nothing authenticates it). */
  readonly created: string | undefined;
  /** Its scrypt cost parameters (undefined when damaged). */
  readonly scrypt: ScryptParams | undefined;
  /** Why it cannot open the repository (altered, renamed, malformed, unreadable); undefined when sound. */
  readonly damaged: string | undefined;
}

/** `vigil key add`, `passwd` or `remove` on a repository made with --no-encryption: it has no key files. */
export class UnencryptedRepositoryError extends VigilError {
  constructor(repo: string) {
    super(
      'ERR_VIGIL_NO_ENCRYPTION',
      `${repo} has no encryption: its keys are in its config; make a new encrypted repository and back up into it`,
    );
  }
}

/** No key file, or more than one, has the KEYID prefix given. */
export class KeyNotFoundError extends VigilError {
  constructor(message: string) {
    super('ERR_VIGIL_KEY_NOT_FOUND', message);
  }
}

/** `vigil key remove` of the key that opened the repository, or of its last key. */
export class KeyRemovalRefusedError extends VigilError {
  constructor(message: string) {
    super('ERR_VIGIL_KEY_REMOVAL_REFUSED', message);
  }
}

/** Every key file of `repo` (sorted by name), each checked and parsed; damaged ones say why. */
export async function listKeys(repo: Repository): Promise<KeyInfo[]> {
  const names = (await repo.storage.list('keys')).filter((name) => KEY_NAME.test(name)).sort();
  const keys: KeyInfo[] = [];
  for (const name of names) keys.push(await describeKeyFile(repo, name));
  return keys;
}

async function describeKeyFile(repo: Repository, name: string): Promise<KeyInfo> {
  const base = { name, current: name === repo.keyId, created: undefined, scrypt: undefined };
  let bytes: Buffer;
  try {
    const size = await repo.storage.size(`keys/${name}`);
    if (size !== undefined && size > MAX_KEY_FILE_BYTES) {
      return { ...base, damaged: `${size} bytes, too big to be a key file` };
    }
    bytes = await repo.storage.read(`keys/${name}`, MAX_KEY_FILE_BYTES);
  } catch (error) {
    return { ...base, damaged: `cannot be read (${(error as Error).message})` };
  }
  if (keyFileId(bytes) !== name) {
    return { ...base, damaged: 'its bytes do not hash to its name: it was altered or renamed' };
  }
  const text = bytes.toString('utf8');
  try {
    const { params } = parseKeyFile(text, `key file ${name.slice(0, KEY_ID_DIGITS)}`);
    return { ...base, created: createdOf(text), scrypt: params, damaged: undefined };
  } catch (error) {
    if (error instanceof KeyFileError) return { ...base, damaged: error.message };
    throw error;
  }
}

/** The informative `created` field, when it is a string (parseKeyFile has checked the JSON). */
function createdOf(text: string): string | undefined {
  const created = (JSON.parse(text) as { created?: unknown }).created;
  return typeof created === 'string' ? created : undefined;
}

/**
 * Writes a new key file holding `repo`'s master keys under `password`; returns its name.
 * `scrypt` is the cost of the new key (DEFAULT_SCRYPT when omitted).
 */
export async function addKey(repo: Repository, password: string, scrypt?: ScryptParams): Promise<string> {
  if (!repo.encrypted) throw new UnencryptedRepositoryError(repo.root);
  const made = await createKeyFile(password, {
    masterKeys: repo.masterKeys,
    ...(scrypt === undefined ? {} : { scrypt }),
  });
  await writeKeyFile(repo, made.keyId, made.json);
  return made.keyId;
}

/** Writes keys/NAME durably (whole, or not at all). */
async function writeKeyFile(repo: Repository, name: string, data: string | Uint8Array): Promise<void> {
  try {
    await repo.storage.write(`keys/${name}`, typeof data === 'string' ? Buffer.from(data) : data);
  } catch (error) {
    throw diskError(`cannot write the key file ${repo.root}/keys/${name}`, error);
  }
}

/** The one key of `keys` whose name starts with `prefix` (at least MIN_KEY_PREFIX hex digits). */
export function findKey(keys: readonly KeyInfo[], prefix: string, repo: string): KeyInfo {
  const wanted = prefix.toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${MIN_KEY_PREFIX},64}$`).test(wanted)) {
    throw new UsageError(
      `"${prefix}" is not a KEYID: give at least ${MIN_KEY_PREFIX} hex digits of one (vigil key list ${repo})`,
    );
  }
  const matches = keys.filter((key) => key.name.startsWith(wanted));
  if (matches.length === 0) {
    throw new KeyNotFoundError(`no key ${prefix} in ${repo}: list them with vigil key list ${repo}`);
  }
  if (matches.length > 1) {
    const ids = matches.map((key) => key.name.slice(0, KEY_ID_DIGITS)).join(', ');
    throw new KeyNotFoundError(`${prefix} names ${matches.length} keys of ${repo} (${ids}): give more digits`);
  }
  return matches[0] as KeyInfo;
}

/**
 * Removes the key file `prefix` names, refusing the repository's last key and the key that
 * opened it now (so a run can never lock out the password it was given). Returns what it removed.
 */
export async function removeKey(repo: Repository, prefix: string): Promise<KeyInfo> {
  if (!repo.encrypted) throw new UnencryptedRepositoryError(repo.root);
  const keys = await listKeys(repo);
  const key = findKey(keys, prefix, repo.root);
  const id = key.name.slice(0, KEY_ID_DIGITS);
  if (keys.length === 1) {
    throw new KeyRemovalRefusedError(
      `${id} is the last key of ${repo.root}: without it nobody could open the repository; ` +
        `to change its password use vigil key passwd ${repo.root}`,
    );
  }
  if (key.current) {
    throw new KeyRemovalRefusedError(
      `${id} is the key that opened ${repo.root} now: to remove it, run vigil key remove with another key's ` +
        `password; to change its password use vigil key passwd ${repo.root}`,
    );
  }
  const bytes = await readBack(repo, key.name);
  await deleteKeyFile(repo, key.name);
  // Two runs opened with keys A and B removing each other would each see another key left and
  // together remove both. So after our unlink we check that the key we opened with is still
  // there, and put back the one we removed if it is not. For both runs to pass that check, each
  // must have checked before the other's unlink, yet after its own: no order of the two unlinks
  // allows it, so one of the two keys always survives.
  const opener = repo.keyId as string;
  if ((await repo.storage.size(`keys/${opener}`)) === undefined) {
    if (bytes !== undefined) await writeKeyFile(repo, key.name, bytes);
    throw new RepositoryError(
      `another run removed ${opener.slice(0, KEY_ID_DIGITS)} (the key that opened ${repo.root}) while this one ` +
        `removed ${id}: ${bytes === undefined ? `${id} could not be read back` : `${id} was put back`}; ` +
        `check with vigil key list ${repo.root}`,
    );
  }
  return key;
}

/**
 * Changes the password of the key that opened `repo`, without rewriting any data: a new key
 * file for the same master keys under `newPassword` is written (durably) first, then the old
 * one removed. Returns both names.
 */
export async function changePassword(
  repo: Repository,
  newPassword: string,
  scrypt?: ScryptParams,
): Promise<{ added: string; removed: string }> {
  if (!repo.encrypted) throw new UnencryptedRepositoryError(repo.root);
  const added = await addKey(repo, newPassword, scrypt);
  // A crash here leaves both key files, each whole: the old password and the new one both open
  // the repository, and `vigil key remove` of the old key (with the new password) finishes.
  const removed = repo.keyId as string;
  await deleteKeyFile(repo, removed);
  return { added, removed };
}

/**
 * Removes keys/NAME durably. A name already gone is no error: another run removed it first
 * (two `key passwd` with one password), and the goal is reached.
 */
async function deleteKeyFile(repo: Repository, name: string): Promise<void> {
  try {
    await repo.storage.remove(`keys/${name}`);
  } catch (error) {
    throw diskError(`cannot remove the key file ${repo.root}/keys/${name}`, error);
  }
}

/** A storage failure as a RepositoryError that says what failed, and why. */
function diskError(what: string, error: unknown): RepositoryError {
  const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);
  return new RepositoryError(`${what} (${why}): check the repository's permissions and free space`, {
    cause: error,
  });
}

async function readBack(repo: Repository, name: string): Promise<Buffer | undefined> {
  try {
    return await repo.storage.read(`keys/${name}`, MAX_KEY_FILE_BYTES);
  } catch {
    return undefined; // Unreadable: nothing worth putting back.
  }
}
