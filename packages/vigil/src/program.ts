/**
 * The command line: commands, flags and help only. Each action lazily imports its command
 * module, so `vigil --help` loads nothing else; exit codes and their help come from
 * src/exit.ts. `runProgram` is what the `vigil` binary (cli.ts) runs; a test's entry module
 * runs it with hooks (commands/hooks.ts).
 */
import { Command, CommanderError, Option } from 'commander';
import { whenLockTaken } from './backup/lock.js';
import type { CheckVerbosity } from './commands/hash.js';
import type { CommandHooks } from './commands/hooks.js';
import { releaseLocksOnInterrupt, removeStagingOnInterrupt } from './commands/interrupt.js';
import { describeFatal, ExitCode, exitCodeForError, exitCodesHelp } from './exit.js';
import { addInspectCommands } from './program-inspect.js';
import { addKeepOptions, algorithmOption, collect, passwordOption } from './program-options.js';
import { addRepositoryCommands } from './program-repository.js';
import { closeOpenedStorage, whenRemoteOpened } from './storage/opened.js';
import { VIGIL_VERSION } from './version.js';

function buildProgram(hooks: CommandHooks): Command {
  const program = new Command()
    .name('vigil')
    .description('Hash trees of files on every core; check them; keep verifiable backups.')
    .version(VIGIL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', exitCodesHelp('vigil'));

  const hash = program
    .command('hash')
    .summary('hash files and trees, or --check manifests, as sha256sum and b3sum do')
    .description(
      'Hash files, recursing into directories, and print "HASH  PATH" lines as sha256sum and b3sum do (sorted by path).\n' +
        'With --check, verify a manifest written by vigil, sha256sum, b3sum or in BSD-tag form.',
    )
    .argument('[paths...]', 'files and directories to hash (default: .); with --check, more manifests')
    .addOption(algorithmOption())
    .option(
      '-c, --check [manifest]',
      'verify the checksums listed in the manifests given as operands (none or "-": stdin)',
    )
    .option('--tag', 'print BSD-style lines: ALGO (PATH) = HASH')
    .option('-b, --binary', 'mark names with "*" (binary mode), as sha256sum -b does')
    .option('-t, --text', 'the default two spaces before names (accepted for sha256sum scripts)')
    .option('-z, --zero', 'end each line with NUL, not newline, and do not escape names')
    .option('--no-names', 'print the digests alone, as b3sum --no-names does')
    .option('--raw', 'write the raw bytes of the digest of one file, as b3sum --raw does')
    .option('-l, --length <bytes>', 'BLAKE3: output this many bytes (extended output), as b3sum --length')
    .option('--keyed', 'BLAKE3: keyed mode (a MAC); the 32-byte key is read from stdin, as b3sum --keyed')
    .option('--derive-key <context>', 'BLAKE3: key derivation mode with this context string, as b3sum --derive-key')
    .option('--json', 'print one JSON document (entries stream as files finish)')
    .option('--ndjson', 'print one JSON object per line, then a summary line')
    .option('--unordered', 'print in completion order, holding nothing back (default: sorted by path)')
    .option('-j, --jobs <n>', 'worker threads (default: available cores; with --redis: jobs in Redis at once, 64)')
    .option('--redis <url>', 'hash on `tandem worker` hosts through this Redis instead of local threads (with --queue)')
    .option('--queue <name>', 'the BullMQ queue the workers serve (with --redis)')
    .option('--exclude <glob>', 'skip paths matching a gitignore-style pattern (repeatable)', collect, [])
    .option('-L, --follow', 'follow symlinks met in the walk (loops are detected and reported)')
    .option('-x, --one-file-system', 'do not descend into directories on other file systems')
    .option('-q, --quiet', 'hash: no notices of skipped entries; check: no OK lines')
    .option('-v, --verbose', 'hash: name every symlink skipped by the walk (default: one line counts them)')
    .option('--status', 'check: print nothing; the exit code tells')
    .option('--ignore-missing', 'check: do not fail or report files that do not exist')
    .option('--strict', 'check: exit 1 on improperly formatted lines')
    .option('-w, --warn', 'check: warn about improperly formatted lines')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)')
    .addHelpText(
      'after',
      `
Files in a directory are excluded by patterns in its .vigilignore (gitignore syntax).
FIFOs, sockets and devices met in a walk are never opened; they are reported as skipped
(named on the command line, a FIFO or device is read as sha256sum reads it, a socket is an
error as there; "-" reads stdin).
Hard links to one inode are read once. A file that changes while read is an error.
${exitCodesHelp('hash')}`,
    )
    .action(async (paths: string[], flags: Record<string, unknown>) => {
      const { hash } = await import('./commands/hash.js');
      process.exitCode = await hash({ ...flags, paths, ...(checkVerbosity ? { checkVerbosity } : {}) }, hooks);
    });
  // --status, --warn and --quiet are one setting of --check: the last one given wins, as in coreutils.
  let checkVerbosity: CheckVerbosity | undefined;
  for (const name of ['status', 'warn', 'quiet'] as const) hash.on(`option:${name}`, () => (checkVerbosity = name));

  program
    .command('baseline')
    .summary('record every entry of DIR in a SQLite baseline')
    .description('Scan DIR on all cores and record every entry (stat, link target, content hash) in a SQLite baseline.')
    .argument('[dir]', 'the tree to record (default: .)')
    .option('--db <file>', 'where to write the baseline (default: DIR/.vigil/baseline.db)')
    .addOption(algorithmOption())
    .option(
      '--exclude <glob>',
      'skip paths matching a gitignore-style pattern (repeatable; stored for later checks)',
      collect,
      [],
    )
    .option('-j, --jobs <n>', 'worker threads (default: available cores; with --redis: jobs in Redis at once, 64)')
    .option('--redis <url>', 'hash on `tandem worker` hosts through this Redis instead of local threads (with --queue)')
    .option('--queue <name>', 'the BullMQ queue the workers serve (with --redis)')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)')
    .option('--sign-key <pem>', 'sign the baseline with this Ed25519 private key (writes DB.sig beside it)')
    .addHelpText(
      'after',
      `
DIR/.vigil is never scanned. .vigilignore files exclude as in vigil hash. The baseline is
written under a temporary name and renamed into place: an interrupted run leaves the old one.
Extended attributes (POSIX ACLs, file capabilities, SELinux labels) are recorded when vigil's
native addon is built; without it, vigil says so and records none.
${exitCodesHelp('baseline')}`,
    )
    .action(async (dir: string | undefined, flags: Record<string, unknown>) => {
      const { baseline } = await import('./commands/baseline.js');
      process.exitCode = await baseline({ ...flags, dir }, hooks);
    });

  program
    .command('check')
    .summary('compare DIR with its baseline and report what changed')
    .description(
      'Compare DIR with its baseline and report what changed: added, removed, modified, moved, metadata\n' +
        '(mode, owner, type, link target, extended attributes: ACLs, file capabilities, SELinux labels),\n' +
        'touched (mtime only), unreadable, unstable (changed while read).',
    )
    .argument('[dir]', 'the tree to check (default: .)')
    .option('--db <file>', 'the baseline to compare with (default: DIR/.vigil/baseline.db)')
    .option(
      '--full',
      'read every file again (catches silent corruption); by default a file whose size, mtime, ctime and inode match is trusted',
    )
    .option('--json', 'print one JSON document: {"mode","changes":[...],"summary"}')
    .option('--ndjson', 'print one JSON object per change as found, then a summary line')
    .option('-j, --jobs <n>', 'worker threads (default: available cores)')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)')
    .option(
      '--verify-key <pem>',
      'refuse (exit 2) a baseline that does not match its signature under this Ed25519 public key',
    )
    .addHelpText('after', exitCodesHelp('check'))
    .action(async (dir: string | undefined, flags: Record<string, unknown>) => {
      const { check } = await import('./commands/check.js');
      process.exitCode = await check({ ...flags, dir }, hooks);
    });

  program
    .command('accept')
    .summary('take the current state of DIR (or of some PATHs) into its baseline')
    .description(
      'Take the current state of DIR (or only of the PATHs named, and what is under them) into its baseline.',
    )
    .argument('<dir>', 'the tree whose baseline to update')
    .argument('[paths...]', 'paths as typed from here (e.g. DIR/etc/passwd); default: everything')
    .option('--db <file>', 'the baseline to update (default: DIR/.vigil/baseline.db)')
    .option('-j, --jobs <n>', 'worker threads (default: available cores)')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)')
    .option('--sign-key <pem>', 'sign the updated baseline with this Ed25519 private key')
    .option(
      '--verify-key <pem>',
      'first refuse (exit 2) a baseline that does not match its signature under this public key',
    )
    .addHelpText('after', exitCodesHelp('accept'))
    .action(async (dir: string, paths: string[], flags: Record<string, unknown>) => {
      const { accept } = await import('./commands/accept.js');
      process.exitCode = await accept({ ...flags, dir, paths }, hooks);
    });

  program
    .command('status')
    .summary("print a baseline's location, date, entries, algorithm and size")
    .description("Print the baseline's location, date, entry count, algorithm and size.")
    .argument('[dir]', 'the tree (default: .)')
    .option('--db <file>', 'the baseline (default: DIR/.vigil/baseline.db)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', exitCodesHelp('status'))
    .action(async (dir: string | undefined, flags: Record<string, unknown>) => {
      const { status } = await import('./commands/status.js');
      process.exitCode = await status({ ...flags, dir });
    });

  addKeepOptions(
    program
      .command('backup')
      .summary('make one deduplicated, compressed, encrypted snapshot of SRCs in REPO, then apply --keep-*')
      .description(
        'Make one snapshot of all SRCs in REPO (made on first use: encrypted when a password is given):\n' +
          'contents cut into chunks stored once, compressed and encrypted; unchanged files not read again;\n' +
          'then apply the --keep-* policy and prune.',
      )
      .usage('--to <repo> [options] [sources...]')
      .argument('[sources...]', 'files and directories to back up (or --files-from FILE)')
      .requiredOption('--to <repo>', 'the repository (required)'),
  )
    .option('--exclude <glob>', 'skip paths matching a gitignore-style pattern (repeatable)', collect, [])
    .option(
      '--exclude-file <file>',
      'read --exclude patterns from FILE, one a line, # comments (repeatable)',
      collect,
      [],
    )
    .option('--files-from <file>', 'back up the paths listed in FILE, one a line, # comments ("-": stdin)', collect, [])
    .option('--exclude-caches', 'leave out the contents of directories holding a valid CACHEDIR.TAG (all but the tag)')
    .option('--exclude-larger-than <size>', 'leave out files larger than SIZE (bytes, or K, M, G, T: 1024-based)')
    .option('--tag <tag>', 'tag the snapshot (repeatable)', collect, [])
    .option('--time <timestamp>', 'record this time instead of now (ISO 8601, or "2006-01-02 15:04:05" local)')
    .addOption(
      new Option('--compression <mode>', 'zstd per chunk: auto skips what does not shrink (default: auto)').choices([
        'auto',
        'off',
        'max',
      ]),
    )
    .addOption(passwordOption())
    .option('--dry-run', 'print what the policy would keep and remove; write nothing')
    .option('-j, --jobs <n>', 'worker threads (default: available cores)')
    .option('--json', 'print the result as JSON')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)')
    .option('--no-cache', "neither use nor keep the local cache of the parent snapshot's files (~/.cache/vigil)")
    .addHelpText('after', exitCodesHelp('backup'))
    .action(async (sources: string[], flags: Record<string, unknown>) => {
      const { backup } = await import('./commands/backup.js');
      process.exitCode = await backup({ ...flags, sources }, hooks);
    });

  program
    .command('snapshots')
    .summary('list the snapshots of REPO')
    .description('List the snapshots of REPO: id, time, files, size, new bytes, sources.')
    .argument('<repo>', 'the repository')
    .option('--json', 'print a JSON array of snapshots')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('snapshots'))
    .action(async (repo: string, flags: Record<string, unknown>) => {
      const { snapshots } = await import('./commands/snapshots.js');
      process.exitCode = await snapshots({ ...flags, repo });
    });

  addKeepOptions(
    program
      .command('forget')
      .summary('apply a --keep-* policy to REPO, or remove the snapshots IDs name, and prune')
      .description(
        'Apply a --keep-* policy to REPO: print which snapshots are kept and why, remove the rest, prune.\n' +
          'With IDs instead, remove those snapshots (all or none: an unknown or ambiguous id removes nothing).',
      )
      .argument('<repo>', 'the repository')
      .argument('[ids...]', 'snapshots to remove: ids or unique prefixes of them'),
  )
    .option('--dry-run', 'print the plan only')
    .option('--json', 'print the plan as JSON')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('forget'))
    .action(async (repo: string, ids: string[], flags: Record<string, unknown>) => {
      const { forget } = await import('./commands/forget.js');
      process.exitCode = await forget({ ...flags, repo, ids }, hooks);
    });

  program
    .command('verify')
    .summary('check the repository and read back every chunk of its snapshots')
    .description(
      'Check REPO: index, packs, and every snapshot (or SNAPSHOT) down to each chunk, read back and checked\n' +
        'against its id; report each problem with the snapshot and path it harms.',
    )
    .argument('<repo>', 'the repository')
    .argument('[snapshot]', 'a snapshot id, a unique prefix of one, or "latest"')
    .option('--json', 'one JSON object per finding, then a summary')
    .option('--structure-only', 'check the index, trees and that every chunk is listed, without reading the data')
    .option('--read-data-subset <n/m|p%>', "read only the n-th of m groups of packs (by id), or a random p% (restic's)")
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('verify'))
    .action(async (repo: string, snapshot: string | undefined, flags: Record<string, unknown>) => {
      const { verify } = await import('./commands/verify.js');
      process.exitCode = await verify({ ...flags, repo, ...(snapshot === undefined ? {} : { snapshot }) }, hooks);
    });

  program
    .command('unlock')
    .summary('remove stale locks from REPO (--remove-all: every lock)')
    .description(
      'Remove the locks of REPO whose run is gone: not refreshed for 30 minutes, or held by a process of\n' +
        'this host that no longer exists. Prints how many were removed. Needs no password.',
    )
    .argument('<repo>', 'the repository')
    .option('--remove-all', 'remove every lock, live or not (only when you know no vigil uses REPO)')
    .addHelpText('after', exitCodesHelp('unlock'))
    .action(async (repo: string, flags: Record<string, unknown>) => {
      const { unlock } = await import('./commands/unlock.js');
      process.exitCode = await unlock({ ...flags, repo });
    });

  program
    .command('restore')
    .summary('recreate a snapshot under TARGET')
    .description(
      'Recreate SNAPSHOT under TARGET by absolute path (/home/me/docs -> TARGET/home/me/docs),\n' +
        'with owners (as root), modes, nanosecond times, xattrs and ACLs, hard links, FIFOs and devices\n' +
        'and holes, every chunk checked; only PATHs in it if given.',
    )
    .argument('<repo>', 'the repository')
    .argument('<snapshot>', 'a snapshot id, a unique prefix of one, or "latest"')
    .argument('<target>', 'the directory to restore into')
    .argument('[paths...]', 'absolute paths inside the snapshot to restore (default: everything)')
    .option(
      '--overwrite [mode]',
      'entries TARGET already holds: never (default: a differing one is left and named), ' +
        'if-changed (replace what differs), always (replace without comparing; a bare --overwrite)',
    )
    .option('--include <glob>', 'restore only paths matching a gitignore-style pattern (repeatable)', collect, [])
    .option('--exclude <glob>', 'do not restore paths matching a gitignore-style pattern (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads restoring files (default: available cores)')
    .option('--numeric-owner', 'restore owners by the recorded uid and gid, not by user and group name')
    .addOption(passwordOption())
    .addHelpText('after', exitCodesHelp('restore'))
    .action(async (repo: string, snapshot: string, target: string, paths: string[], flags: Record<string, unknown>) => {
      const { restore } = await import('./commands/restore.js');
      process.exitCode = await restore({ ...flags, repo, snapshot, target, paths });
    });

  addRepositoryCommands(program, hooks);
  addInspectCommands(program, hooks);

  return program;
}

/** Parses `argv` and runs the command; sets process.exitCode (never exits). */
export async function runProgram(argv: readonly string[], hooks: CommandHooks = {}): Promise<void> {
  // Every command that opens an SFTP or S3 repository stages in a local folder: Ctrl-C removes it.
  whenRemoteOpened(removeStagingOnInterrupt);
  // Ctrl-C removes the locks the command holds, rather than leaving them to go stale.
  whenLockTaken(releaseLocksOnInterrupt);
  try {
    await buildProgram(hooks).parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      process.exitCode = shown ? ExitCode.ok : ExitCode.usageOrFatal;
    } else {
      process.stderr.write(`${describeFatal(error)}\n`);
      process.exitCode = exitCodeForError(error);
    }
  } finally {
    // A remote repository's connection would keep the process alive after its command.
    await closeOpenedStorage();
  }
}
