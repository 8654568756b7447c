/**
 * How commands reach a format-2 repository: the password from its sources (--password-file,
 * VIGIL_PASSWORD_FILE, VIGIL_PASSWORD, a prompt) asked only when the repository is encrypted,
 * and `vigil backup` into a path that holds none making one: encrypted when a password is
 * given, without encryption otherwise (with a notice saying so and how to do otherwise).
 */
import { type BlobCodec, createBlobCodec } from '../repo/compression.js';
import { readPassword } from '../repo/password.js';
import { holdsRepository, Repository } from '../repo/repository.js';
import { loadZstd } from '../repo/zstd.js';
import { openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/storage.js';

export interface PasswordFlags {
  readonly passwordFile?: string | undefined;
}

/** Opens the repository at `path` (or in its storage, opened), asking for its password only if it is encrypted. */
export function openRepository(path: string, flags: PasswordFlags, storage?: Storage): Promise<Repository> {
  return Repository.open(storage ?? path, {
    password: async () => (await readPassword({ repo: path, purpose: 'open', ...passwordFile(flags) })).password,
  });
}

/** Whether a password is given without asking: --password-file, VIGIL_PASSWORD_FILE or VIGIL_PASSWORD. */
export function passwordGiven(flags: PasswordFlags, env: NodeJS.ProcessEnv = process.env): boolean {
  return flags.passwordFile !== undefined || Boolean(env.VIGIL_PASSWORD_FILE) || Boolean(env.VIGIL_PASSWORD);
}

/**
 * Opens the repository at `path`, or makes one there when it holds none (backup's first run):
 * encrypted under the given password, or, with no password given, without encryption and a
 * notice on `log`.
 */
export async function openOrInitRepository(
  path: string,
  flags: PasswordFlags,
  log: (line: string) => void,
): Promise<Repository> {
  // One connection for the question and the answer: over SFTP each open is a handshake.
  const storage = await openStorage(path);
  let exists: boolean;
  try {
    exists = await holdsRepository(storage);
  } catch (error) {
    await storage.close();
    throw error;
  }
  if (exists) return openRepository(path, flags, storage);
  if (passwordGiven(flags)) {
    let password: string;
    try {
      ({ password } = await readPassword({ repo: path, purpose: 'create', ...passwordFile(flags) }));
    } catch (error) {
      await storage.close();
      throw error;
    }
    const repo = await Repository.init(storage, { password });
    log(`vigil: made an encrypted repository in ${repo.root} (key ${repo.keyId?.slice(0, 16)})`);
    return repo;
  }
  const repo = await Repository.init(storage);
  log(
    `vigil: made ${repo.root} WITHOUT encryption, as no password was given: anyone who can read it can read ` +
      'the backups. For an encrypted one, give a password (--password-file, VIGIL_PASSWORD_FILE or ' +
      'VIGIL_PASSWORD) or run vigil init first',
  );
  return repo;
}

/** The zstd this install has, as a blob codec. */
export async function repositoryCodec(): Promise<BlobCodec> {
  return createBlobCodec(await loadZstd());
}

function passwordFile(flags: PasswordFlags): { passwordFile?: string } {
  return flags.passwordFile === undefined ? {} : { passwordFile: flags.passwordFile };
}
