/**
 * Flags and help text more than one command shares (program.ts and its program-*.ts parts).
 */
import { type Command, Option } from 'commander';
import { ALGORITHMS } from './checksums/algorithms.js';

export const collect = (value: string, previous: string[]) => [...previous, value];
export const algorithmOption = () =>
  new Option('-a, --algo <name>', 'hash algorithm (default: blake3)').choices([...ALGORITHMS]);

export const passwordOption = () =>
  new Option(
    '--password-file <file>',
    "read the repository's password from FILE (else VIGIL_PASSWORD_FILE, VIGIL_PASSWORD, or a prompt on a terminal)",
  );

export const addKeepOptions = (command: Command) =>
  command
    .option('--keep-last <n>', 'keep the n newest snapshots')
    .option('--keep-hourly <n>', 'keep the newest snapshot of each of the last n hours that have one')
    .option('--keep-daily <n>', 'keep the newest snapshot of each of the last n days that have one')
    .option('--keep-weekly <n>', 'keep the newest snapshot of each of the last n ISO weeks that have one')
    .option('--keep-monthly <n>', 'keep the newest snapshot of each of the last n months that have one')
    .option('--keep-yearly <n>', 'keep the newest snapshot of each of the last n years that have one')
    .option('--keep-within <duration>', "keep every snapshot within DURATION (e.g. 1y2m3d4h) of its group's newest")
    .option('--keep-within-hourly <duration>', 'keep the newest snapshot of each hour within DURATION')
    .option('--keep-within-daily <duration>', 'keep the newest snapshot of each day within DURATION')
    .option('--keep-within-weekly <duration>', 'keep the newest snapshot of each ISO week within DURATION')
    .option('--keep-within-monthly <duration>', 'keep the newest snapshot of each month within DURATION')
    .option('--keep-within-yearly <duration>', 'keep the newest snapshot of each year within DURATION')
    .option('--keep-tag <tags>', 'keep every snapshot that has all of these tags (a or a,b; repeatable)', collect, [])
    .option('--group-by <fields>', 'plan each group alone: any of host,paths,tags (default: host,paths)');

export const PASSWORD_SOURCES = `
The password comes from --password-file FILE, else VIGIL_PASSWORD_FILE (a file holding it),
else VIGIL_PASSWORD, else a prompt when stdin is a terminal.`;
export const newPasswordFileOption = () =>
  new Option('--new-password-file <file>', 'read the new password from FILE (default: asked twice on the terminal)');
