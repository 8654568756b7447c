/**
 * `vigil key list|add|remove|passwd REPO`: the key files of a format-2 repository, as restic's
 * `key`. Each opens the repository with the current password first (--password-file,
 * VIGIL_PASSWORD_FILE, VIGIL_PASSWORD, a prompt): that proves access, and gives the master
 * keys a new key file seals. A new key's password comes from --new-password-file or a prompt
 * asked twice, never from the current password's sources.
 */
import { ExitCode as Code, type ExitCode } from '../exit.js';
import {
  addKey,
  changePassword,
  KEY_ID_DIGITS,
  type KeyInfo,
  listKeys,
  removeKey,
  UnencryptedRepositoryError,
} from '../repo/key-store.js';
import { readNewPassword } from '../repo/password.js';
import type { Repository } from '../repo/repository.js';
import { count } from '../report/plural.js';
import type { CommandHooks } from './hooks.js';
import { openRepository } from './repository-access.js';

interface KeyCommon {
  readonly repo: string;
  readonly passwordFile?: string;
}

/** The four subcommands' options, told apart by `action`. */
export type KeyOptions =
  | (KeyCommon & { readonly action: 'list'; readonly json?: boolean })
  | (KeyCommon & { readonly action: 'add'; readonly newPasswordFile?: string })
  | (KeyCommon & { readonly action: 'remove'; readonly keyId: string })
  | (KeyCommon & { readonly action: 'passwd'; readonly newPasswordFile?: string });

export async function key(options: KeyOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const repo = await openRepository(options.repo, { passwordFile: options.passwordFile });
  switch (options.action) {
    case 'list':
      await printKeys(repo, options.json === true);
      return Code.ok;
    case 'add': {
      const password = await newPassword(repo, options.newPasswordFile);
      const added = await addKey(repo, password, hooks.scrypt);
      process.stdout.write(`added key ${short(added)} to ${repo.root}\n`);
      return Code.ok;
    }
    case 'remove': {
      const removed = await removeKey(repo, options.keyId);
      process.stdout.write(`removed key ${short(removed.name)} from ${repo.root}\n`);
      return Code.ok;
    }
    case 'passwd': {
      const password = await newPassword(repo, options.newPasswordFile);
      const { added, removed } = await changePassword(repo, password, hooks.scrypt);
      process.stdout.write(
        `changed the password of ${repo.root}: added key ${short(added)}, removed ${short(removed)}\n`,
      );
      return Code.ok;
    }
  }
}

/** The new password, asked only once the repository is known to have keys to add to. */
function newPassword(repo: Repository, newPasswordFile: string | undefined): Promise<string> {
  if (!repo.encrypted) throw new UnencryptedRepositoryError(repo.root);
  return readNewPassword({ repo: repo.root, newPasswordFile });
}

async function printKeys(repo: Repository, json: boolean): Promise<void> {
  if (!repo.encrypted) {
    if (json) process.stdout.write('[]\n');
    else
      process.stdout.write(`${repo.root} has no encryption: it has no key files (its master keys are in its config)\n`);
    return;
  }
  const keys = await listKeys(repo);
  if (json) {
    process.stdout.write(`${JSON.stringify(keys.map(keyJson))}\n`);
    return;
  }
  const rows = keys.map((k) => [
    k.current ? '*' : ' ',
    short(k.name),
    k.damaged === undefined ? (k.created?.replace(/\.\d+Z$/, 'Z') ?? '?') : 'DAMAGED',
    k.damaged ?? `N=${k.scrypt?.N} r=${k.scrypt?.r} p=${k.scrypt?.p}`,
  ]);
  const head = [' ', 'KEY', 'CREATED', 'SCRYPT'];
  const widths = head.map((_, i) => Math.max(head[i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}\n`;
  process.stdout.write(line(head));
  for (const row of rows) process.stdout.write(line(row));
  process.stdout.write(`${count(keys.length, 'key')}; * marks the one that opened the repository now\n`);
}

function keyJson(k: KeyInfo) {
  return {
    id: short(k.name),
    file: `keys/${k.name}`,
    current: k.current,
    created: k.created ?? null,
    scrypt: k.scrypt ?? null,
    damaged: k.damaged ?? null,
  };
}

function short(name: string): string {
  return name.slice(0, KEY_ID_DIGITS);
}
