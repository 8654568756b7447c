/**
 * The commands that look inside a repository (ls, diff, find) and copy snapshots between
 * repositories: flags and help only, as in program.ts, which calls `addInspectCommands`.
 */
import type { Command } from 'commander';
import type { CommandHooks } from './commands/hooks.js';
import { exitCodesHelp } from './exit.js';
import { collect, passwordOption } from './program-options.js';

export function addInspectCommands(program: Command, hooks: CommandHooks): void {
  program
    .command('ls')
    .summary('list the entries of a snapshot, or of one PATH in it')
    .description(
      'List the entries of SNAPSHOT (or PATH and everything under it), depth first in name order:\n' +
        'paths, or with -l permissions, owner, group, size, mtime and path as restic ls -l shows them.',
    )
    .argument('<repo>', 'the repository')
    .argument('<snapshot>', 'a snapshot id, a unique prefix of one, or "latest"')
    .argument('[path]', 'an absolute path inside the snapshot (default: /)')
    .option('-l, --long', 'long listing: permissions, owner, group, size, mtime, path')
    .option('--json', 'one JSON object per line: the snapshot, then each entry (as restic ls --json)')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('ls'))
    .action(async (repo: string, snapshot: string, path: string | undefined, flags: Record<string, unknown>) => {
      const { ls } = await import('./commands/ls.js');
      process.exitCode = await ls({ ...flags, repo, snapshot, path });
    });

  program
    .command('diff')
    .summary("show what changed between two snapshots, in check's groups")
    .description(
      'Show what changed from snapshot A to snapshot B: added, removed, modified, moved (same content at\n' +
        'another path), metadata (mode, owner, type, link target, xattrs), touched (mtime only).\n' +
        'Directories whose tree is the same in both are skipped unread.',
    )
    .argument('<repo>', 'the repository')
    .argument('<a>', 'the older snapshot: id, unique prefix, or "latest"')
    .argument('<b>', 'the newer snapshot: id, unique prefix, or "latest"')
    .option('--json', 'one JSON object per change (as check --ndjson), then a summary object')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('diff'))
    .action(async (repo: string, before: string, after: string, flags: Record<string, unknown>) => {
      const { diff } = await import('./commands/diff.js');
      process.exitCode = await diff({ ...flags, repo, before, after });
    });

  program
    .command('find')
    .summary('find entries by glob in every snapshot, and which snapshots hold each')
    .description(
      'Find the entries whose name matches a PATTERN (a glob: *, ?, [abc], {a,b}, **), or whose absolute\n' +
        'path does for a PATTERN with a "/" ("doc/*.txt" at any depth, "/etc/*.conf" from the root);\n' +
        'print each path once with the snapshots that hold it.',
    )
    .argument('<repo>', 'the repository')
    .argument('<patterns...>', 'globs (quote them, so the shell does not expand them)')
    .option('-s, --snapshot <id>', 'search only this snapshot (repeatable; default: all)', collect, [])
    .option('--json', 'one JSON object per matching path, with the ids of the snapshots holding it')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('find'))
    .action(async (repo: string, patterns: string[], flags: Record<string, unknown>) => {
      const { find } = await import('./commands/find.js');
      process.exitCode = await find({ ...flags, repo, patterns });
    });

  addCopyCommand(program, hooks);
}

function addCopyCommand(program: Command, hooks: CommandHooks): void {
  program
    .command('copy')
    .summary('copy snapshots from repository SRC into DST, re-encrypted; only missing blobs move')
    .description(
      "Copy SNAPSHOTs (default: all) of SRC into DST: every chunk and tree is stored again under DST's keys,\n" +
        'only those DST lacks are written; a snapshot DST holds already (same time, host, sources, contents)\n' +
        'is not copied again. DST must exist (vigil init).',
    )
    .argument('<src>', 'the repository to copy from')
    .argument('<dst>', 'the repository to copy into')
    .argument('[snapshots...]', 'snapshot ids, unique prefixes, or "latest" (default: all)')
    .option(
      '--from-password-file <file>',
      "read SRC's password from FILE (else VIGIL_FROM_PASSWORD_FILE, VIGIL_FROM_PASSWORD, or a prompt)",
    )
    .option(
      '--password-file <file>',
      "read DST's password from FILE (else VIGIL_PASSWORD_FILE, VIGIL_PASSWORD, or a prompt)",
    )
    .option('--json', 'print the outcome as one JSON object')
    .addHelpText('after', exitCodesHelp('copy'))
    .action(async (from: string, to: string, snapshots: string[], flags: Record<string, unknown>) => {
      const { copy } = await import('./commands/copy.js');
      process.exitCode = await copy({ ...flags, from, to, snapshots }, hooks);
    });
}
