/** `vigil snapshots REPO [--json]`: id, time, sources, files, total size and new bytes of each snapshot. */
import { Repository } from '../backup/repository.js';
import { listSnapshots } from '../backup/snapshots.js';
import { ExitCode as Code, type ExitCode } from '../exit.js';
import { formatBytes } from '../report/format-bytes.js';

export interface SnapshotsOptions {
  readonly repo: string;
  readonly json?: boolean;
}

export async function snapshots(options: SnapshotsOptions): Promise<ExitCode> {
  const repo = Repository.open(options.repo);
  const all = listSnapshots(repo);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(all.map((s) => s.header))}\n`);
    return Code.ok;
  }
  const rows = all.map((s) => {
    const h = s.header;
    return [
      h.id,
      h.time.replace(/\.\d+Z$/, 'Z'),
      String(h.files),
      formatBytes(h.totalBytes),
      formatBytes(h.newBytes),
      `${h.sources.join(' ')}${h.incomplete ? ' (incomplete)' : ''}${h.tags.length > 0 ? ` [${h.tags.join(',')}]` : ''}`,
    ];
  });
  const head = ['ID', 'TIME', 'FILES', 'SIZE', 'NEW', 'SOURCES'];
  const widths = head.map((_, i) => Math.max(head[i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}\n`;
  process.stdout.write(line(head));
  for (const row of rows) process.stdout.write(line(row));
  process.stdout.write(`${all.length} snapshot(s)\n`);
  return Code.ok;
}
