/**
 * `vigil init` and `vigil key`: flags and help only, as in program.ts, which calls
 * `addRepositoryCommands`.
 */
import type { Command } from 'commander';
import type { CommandHooks } from './commands/hooks.js';
import type { KeyOptions } from './commands/key.js';
import { exitCodesHelp } from './exit.js';
import { newPasswordFileOption, PASSWORD_SOURCES, passwordOption } from './program-options.js';

/** `vigil init` and `vigil key` (format-2 repositories and their keys). */
export function addRepositoryCommands(program: Command, hooks: CommandHooks): void {
  program
    .command('init')
    .summary('make a new repository, encrypted unless --no-encryption')
    .description(
      'Make a repository at REPO (a missing path or an empty directory), encrypted under a password ' +
        '(asked twice on a terminal); print where, and the id of its first key.',
    )
    .argument('<repo>', 'where to make it')
    .option('--no-encryption', 'keep the master keys in the config: anyone who can read REPO can read its backups')
    .addOption(passwordOption())
    .addHelpText('after', `${PASSWORD_SOURCES}\n${exitCodesHelp('init')}`)
    .action(async (repo: string, flags: Record<string, unknown>) => {
      const { init } = await import('./commands/init.js');
      process.exitCode = await init({ ...flags, repo }, hooks);
    });

  const key = program
    .command('key')
    .summary("list, add or remove the keys (passwords) of REPO, or change one's password")
    .description(
      'Manage the key files of an encrypted repository: each holds its master keys under one password. ' +
        'Every subcommand first opens REPO with the current password.',
    )
    .addHelpText('after', `${PASSWORD_SOURCES}\n${exitCodesHelp('key')}`);
  const run = async (options: KeyOptions) => {
    const { key: keyCommand } = await import('./commands/key.js');
    process.exitCode = await keyCommand(options, hooks);
  };
  key
    .command('list')
    .description('List the keys of REPO: id, created, scrypt cost; * marks the one the password opened.')
    .argument('<repo>', 'the repository')
    .option('--json', 'print a JSON array of keys')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('key'))
    .action((repo: string, flags: Record<string, unknown>) => run({ ...flags, action: 'list', repo }));
  key
    .command('add')
    .description('Add a key to REPO: the same master keys under a new password. Prints its id.')
    .argument('<repo>', 'the repository')
    .addOption(passwordOption())
    .addOption(newPasswordFileOption())
    .addHelpText('after', exitCodesHelp('key'))
    .action((repo: string, flags: Record<string, unknown>) => run({ ...flags, action: 'add', repo }));
  key
    .command('remove')
    .description('Remove the key KEYID from REPO. Refuses the key that opened REPO now and its last key.')
    .argument('<repo>', 'the repository')
    .argument('<keyid>', 'a unique prefix (at least 8 hex digits) of a key id, as vigil key list shows')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('key'))
    .action((repo: string, keyId: string, flags: Record<string, unknown>) =>
      run({ ...flags, action: 'remove', repo, keyId }),
    );
  key
    .command('passwd')
    .description(
      'Change the password of the key that opens REPO: a new key is written, then the old one removed; ' +
        'no data is rewritten.',
    )
    .argument('<repo>', 'the repository')
    .addOption(passwordOption())
    .addOption(newPasswordFileOption())
    .addHelpText('after', exitCodesHelp('key'))
    .action((repo: string, flags: Record<string, unknown>) => run({ ...flags, action: 'passwd', repo }));
}
