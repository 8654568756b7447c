/**
 * `vigil copy SRC DST [SNAPSHOT...]`: copy snapshots (default: all) from SRC into DST,
 * re-encrypted; only what DST lacks is stored, and a snapshot DST holds already is not
 * copied again. SRC's password comes from --from-password-file, VIGIL_FROM_PASSWORD_FILE or
 * VIGIL_FROM_PASSWORD (restic's --from-* names), else a prompt; DST's as for every command.
 * DST is locked as a backup locks it. Exit 1 when some snapshot could not be read whole.
 */
import { realpathSync } from 'node:fs';
import { RepositoryLock } from '../backup/lock.js';
import { findSnapshot, shortId } from '../backup/snapshots.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { copySnapshots } from '../inspect/copy-snapshots.js';
import { WrongPasswordError } from '../repo/keys.js';
import { PasswordSourceError, readPassword } from '../repo/password.js';
import { Repository } from '../repo/repository.js';
import { listSnapshots, type StoredSnapshot } from '../repo/snapshot-store.js';
import { formatBytes } from '../report/format-bytes.js';
import { count } from '../report/plural.js';
import type { CommandHooks } from './hooks.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface CopyOptions extends PasswordFlags {
  readonly from: string;
  readonly to: string;
  readonly snapshots: readonly string[];
  readonly fromPasswordFile?: string;
  readonly json?: boolean;
}

export async function copy(options: CopyOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (sameDirectory(options.from, options.to)) {
    throw new UsageError(`SRC and DST are the same repository (${options.from}): copy into another one`);
  }
  const from = await Repository.open(options.from, { password: () => sourcePassword(options) }).catch((error) => {
    // keys.ts names the sources of DST's password; SRC's has its own.
    if (error instanceof WrongPasswordError) {
      error.message = error.message.replace(
        'VIGIL_PASSWORD, VIGIL_PASSWORD_FILE or --password-file',
        'VIGIL_FROM_PASSWORD, VIGIL_FROM_PASSWORD_FILE or --from-password-file',
      );
    }
    throw error;
  });
  const to = await openRepository(options.to, options);
  const codec = await repositoryCodec();
  // Both shared: a copy only reads SRC and only adds to DST, as a backup does; DST's is
  // checked before the index and the commit, so a copy whose lock was lost commits nothing.
  const fromLock = await RepositoryLock.acquire(from, 'shared', { command: 'copy' });
  let toLock: RepositoryLock | undefined;
  try {
    toLock = await RepositoryLock.acquire(to, 'shared', { command: 'copy' });
    const held = toLock;
    const listing = await listSnapshots(from);
    for (const { id, error } of listing.damaged) {
      log(`vigil: snapshot ${shortId(id)} of ${from.root} is damaged: ${error.message}`);
    }
    let chosen: readonly StoredSnapshot[] = listing.snapshots;
    if (options.snapshots.length > 0) {
      // Named ones, each once, oldest first (the listing's order).
      const named = new Set<string>();
      for (const s of options.snapshots) named.add((await findSnapshot(from, s, () => {})).id);
      chosen = listing.snapshots.filter((s) => named.has(s.id));
    }
    const outcome = await copySnapshots({
      from,
      to,
      codec,
      snapshots: chosen,
      log,
      assertLocked: () => held.assertHeld(),
      checkpoint: hooks.checkpoint,
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(outcome)}\n`);
    } else {
      for (const { from: f, to: t } of outcome.copied) process.stdout.write(`copied ${shortId(f)} -> ${shortId(t)}\n`);
      for (const { from: f, to: t } of outcome.present) {
        process.stdout.write(`skipped ${shortId(f)}: ${to.root} holds it already as ${shortId(t)}\n`);
      }
      process.stdout.write(
        `${count(outcome.copied.length, 'snapshot')} copied, ${outcome.present.length} present already` +
          `${outcome.failed.length > 0 ? `, ${outcome.failed.length} failed` : ''}; ` +
          `${count(outcome.storedBlobs, 'blob')} stored (${formatBytes(outcome.storedBytes)})\n`,
      );
    }
    return exitCodeForOutcome({ failures: outcome.failed.length });
  } finally {
    await toLock?.release();
    await fromLock.release();
  }
}

/** SRC's password: --from-password-file, VIGIL_FROM_PASSWORD_FILE, VIGIL_FROM_PASSWORD, else a prompt on a terminal. */
async function sourcePassword(options: CopyOptions): Promise<string> {
  const env = {
    VIGIL_PASSWORD_FILE: process.env.VIGIL_FROM_PASSWORD_FILE,
    VIGIL_PASSWORD: process.env.VIGIL_FROM_PASSWORD,
  };
  const given =
    options.fromPasswordFile !== undefined || Boolean(env.VIGIL_PASSWORD_FILE) || Boolean(env.VIGIL_PASSWORD);
  if (!given && process.stdin.isTTY !== true) {
    throw new PasswordSourceError(
      `no password for ${options.from} (SRC): set VIGIL_FROM_PASSWORD_FILE (a file holding it) or ` +
        'VIGIL_FROM_PASSWORD, or pass --from-password-file FILE, or run on a terminal to be asked',
    );
  }
  const read = await readPassword({
    repo: options.from,
    purpose: 'open',
    env,
    ...(options.fromPasswordFile === undefined ? {} : { passwordFile: options.fromPasswordFile }),
  });
  return read.password;
}

function sameDirectory(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
