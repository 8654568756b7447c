/**
 * The retention flags on the command line, over one repository: a snapshot recorded with
 * backup --time and --tag, more made in-process as copies at other times and hosts, then
 * what `backup --dry-run`, `forget --keep-within*`/`--keep-tag`/`--group-by` and
 * `forget REPO ID...` print, return and remove. (The planner's rules: backup-policy.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Repository } from '../src/repo/repository.js';
import { snapshotTime } from '../src/repo/snapshot-file.js';
import { listSnapshots, writeSnapshot } from '../src/repo/snapshot-store.js';
import { tempDir, vigil } from './helpers.js';

const NS_PER_MS = 1_000_000n;

describe('vigil forget and backup: the retention flags', () => {
  let dir: { path: string; cleanup: () => void };
  let repoPath: string;
  let src: string;
  /** id by label: 'imported' (by the CLI), 'jan10', 'jan11', 'other-host'. */
  const ids: Record<string, string> = {};
  before(() => {
    dir = tempDir('vigil-retention-');
    src = join(dir.path, 'src');
    repoPath = join(dir.path, 'repo');
    mkdirSync(src);
    writeFileSync(join(src, 'file'), 'content\n');
  });
  after(() => dir.cleanup());
  const openRepo = () => Repository.open(repoPath, { password: async () => assert.fail('no password needed') });

  it('backup --time records the time given, --tag the tags', async () => {
    const made = await vigil(['backup', src, '--to', repoPath, '--time', '2024-01-01T03:00:00Z', '--tag', 'yearly']);
    assert.equal(made.code, 0, made.stderr);
    const repo = await openRepo();
    const [first] = (await listSnapshots(repo)).snapshots;
    assert.ok(first);
    assert.equal(first.snapshot.time, '2024-01-01T03:00:00.000Z');
    assert.deepEqual(first.snapshot.tags, ['yearly']);
    ids.imported = first.id;
    // Copies of it at other times and on another host, as other runs would have made them.
    const copy = async (label: string, iso: string, host = first.snapshot.host) => {
      const timeNs = BigInt(Date.parse(iso)) * NS_PER_MS;
      ids[label] = await writeSnapshot(repo, { ...first.snapshot, time: snapshotTime(timeNs), timeNs, host, tags: [] });
    };
    await copy('jan10', '2024-01-10T03:00:00Z');
    await copy('jan11', '2024-01-11T03:00:00Z');
    await copy('other-host', '2024-01-05T03:00:00Z', 'elsewhere');
  });

  it('backup --dry-run plans with the snapshot it would make', async () => {
    const plan = await vigil(['backup', src, '--to', repoPath, '--dry-run', '--keep-last', '1']);
    assert.equal(plan.code, 0, plan.stderr);
    // The new snapshot is the newest of its host and path: it is the one --keep-last 1 keeps.
    const short = (label: string) => ids[label]?.slice(0, 8);
    assert.match(
      plan.stdout.toString(),
      new RegExp(
        `keep 1 snapshot:\n {2}\\(new\\) {4} \\S+ {2}last snapshot\n` +
          `remove 3 snapshots:\n {2}${short('jan11')} .*\n {2}${short('jan10')} .*\n {2}${short('imported')} `,
      ),
    );
    assert.match(plan.stdout.toString(), /snapshots of host elsewhere; .*\nkeep 1 snapshot:\n/);
    assert.equal((await listSnapshots(await openRepo())).snapshots.length, 4, 'a dry run removes nothing');
  });

  it('forget --keep-within, --keep-within-daily, --keep-tag and --group-by', async () => {
    const args = ['forget', repoPath, '--dry-run', '--keep-within', '1d', '--keep-within-daily', '5d'];
    const result = await vigil([...args, '--keep-tag', 'yearly', '--group-by', 'paths']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout.toString();
    assert.match(out, /^grouped by paths\nsnapshots of paths .*\/src:\nkeep 3 snapshots:\n/);
    const line = (label: string) => out.split('\n').find((l) => l.startsWith(`  ${ids[label]?.slice(0, 8)}`));
    assert.match(line('jan11') ?? '', /within 1d, daily within 5d$/);
    assert.match(line('jan10') ?? '', /daily within 5d$/);
    assert.match(line('imported') ?? '', /has tags \[yearly\]$/);
    assert.match(out, /remove 1 snapshot:\n/);
    assert.equal(line('other-host')?.endsWith('Z'), true, 'other-host is removed: no rule keeps it');
  });

  it('forget REPO ID... removes the named snapshots, all or none', async () => {
    const refused = await vigil(['forget', repoPath, ids.jan10?.slice(0, 8) as string, 'feedface']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no snapshot "feedface"/);
    assert.match(refused.stderr, /nothing was removed/);
    assert.equal((await listSnapshots(await openRepo())).snapshots.length, 4);
    const removed = await vigil(['forget', repoPath, ids.jan10?.slice(0, 8) as string, ids['other-host'] as string]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout.toString(), /^remove 2 snapshots:\n/);
    assert.deepEqual(
      (await listSnapshots(await openRepo())).snapshots.map((s) => s.id),
      [ids.imported, ids.jan11],
    );
  });
});
