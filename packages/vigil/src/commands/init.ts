/**
 * `vigil init REPO [--no-encryption] [--password-file FILE]`: makes a format-2 repository,
 * encrypted under a password from its sources (--password-file, VIGIL_PASSWORD_FILE,
 * VIGIL_PASSWORD, a prompt asked twice), or with --no-encryption one whose master keys sit in
 * its config, in the clear. Prints what it made, where, and its first key.
 */
import { RepositoryError, UsageError, VigilError } from '../errors.js';
import { ExitCode as Code, type ExitCode } from '../exit.js';
import { KEY_ID_DIGITS } from '../repo/key-store.js';
import { readPassword } from '../repo/password.js';
import { checkInitTarget, Repository } from '../repo/repository.js';
import type { CommandHooks } from './hooks.js';

export interface InitOptions {
  readonly repo: string;
  /** false with --no-encryption (commander's negated flag). */
  readonly encryption?: boolean;
  readonly passwordFile?: string;
}

export async function init(options: InitOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const encrypted = options.encryption !== false;
  if (!encrypted && options.passwordFile !== undefined) {
    throw new UsageError(
      '--no-encryption takes no password: drop --password-file, or drop --no-encryption for an encrypted repository',
    );
  }
  // Checked before the password is asked, so nobody types it twice only to be refused.
  const root = await checkInitTarget(options.repo);
  if (!encrypted) {
    await make(root, {});
    process.stdout.write(
      `created repository ${root} WITHOUT encryption (its master keys are in its config)\n` +
        `anyone who can read ${root} can read its backups; for secrecy, run vigil init without --no-encryption\n`,
    );
    return Code.ok;
  }
  const { password } = await readPassword({
    repo: options.repo,
    purpose: 'create',
    ...(options.passwordFile === undefined ? {} : { passwordFile: options.passwordFile }),
  });
  const repo = await make(root, { password, ...(hooks.scrypt === undefined ? {} : { scrypt: hooks.scrypt }) });
  process.stdout.write(`created encrypted repository ${root} (key ${repo.keyId?.slice(0, KEY_ID_DIGITS)})\n`);
  return Code.ok;
}

/** Repository.init, with a file-system failure (no permission, no space) said as one. */
async function make(root: string, options: Parameters<typeof Repository.init>[1]): Promise<Repository> {
  try {
    return await Repository.init(root, options);
  } catch (error) {
    if (error instanceof VigilError || typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new RepositoryError(
      `cannot make a repository in ${root} (${(error as NodeJS.ErrnoException).code}): check the path, ` +
        'its permissions and free space; remove what was made there before trying again',
      { cause: error },
    );
  }
}
