/** `vigil snapshots REPO [--json]`: id, time, sources, files, size and new bytes of each snapshot; damaged ones named. */
import { withRepositoryLock } from '../backup/lock.js';
import { shortId } from '../backup/snapshots.js';
import { ExitCode as Code, type ExitCode } from '../exit.js';
import { listSnapshots } from '../repo/snapshot-store.js';
import { formatBytes } from '../report/format-bytes.js';
import { jsonValue } from '../report/json-value.js';
import { count } from '../report/plural.js';
import { openRepository, type PasswordFlags } from './repository-access.js';

export interface SnapshotsOptions extends PasswordFlags {
  readonly repo: string;
  readonly json?: boolean;
}

export async function snapshots(options: SnapshotsOptions): Promise<ExitCode> {
  const repo = await openRepository(options.repo, options);
  const { snapshots: all, damaged } = await withRepositoryLock(
    repo,
    'shared',
    { command: 'snapshots', refresher: 'timer' },
    async () => listSnapshots(repo),
  );
  for (const { id, error } of damaged)
    process.stderr.write(`vigil: snapshot ${shortId(id)} is damaged: ${error.message}\n`);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(
        all.map(({ id, snapshot }) => ({ id, ...snapshot })),
        jsonValue,
      )}\n`,
    );
    return Code.ok;
  }
  const rows = all.map(({ id, snapshot: s }) => [
    shortId(id),
    s.time.replace(/\.\d+Z$/, 'Z'),
    String(s.stats.files),
    formatBytes(s.stats.totalBytes),
    formatBytes(s.stats.newBytes),
    `${s.sources.join(' ')}${s.incomplete ? ' (incomplete)' : ''}${s.tags.length > 0 ? ` [${s.tags.join(',')}]` : ''}`,
  ]);
  const head = ['ID', 'TIME', 'FILES', 'SIZE', 'NEW', 'SOURCES'];
  const widths = head.map((_, i) => Math.max(head[i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}\n`;
  process.stdout.write(line(head));
  for (const row of rows) process.stdout.write(line(row));
  process.stdout.write(`${count(all.length, 'snapshot')}${damaged.length > 0 ? `, ${damaged.length} damaged` : ''}\n`);
  return Code.ok;
}
