/**
 * vigil ls, diff, find, verify --read-data-subset and copy through the built CLI, against one
 * encrypted repository of two tiny snapshots built once (keys made in-process at scrypt 2^10,
 * so opening costs milliseconds). What only an engine can show (which packs a subset reads,
 * that a copy stores no blob twice) is checked in-process on the same repositories.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseDataSubset, selectPacks } from '../src/backup/data-subset.js';
import { verifyRepository } from '../src/backup/verify.js';
import { UsageError } from '../src/errors.js';
import { copySnapshots } from '../src/inspect/copy-snapshots.js';
import { entryMatcher } from '../src/inspect/find-matches.js';
import { openSnapshotReading } from '../src/inspect/snapshot-reading.js';
import { BlobReader } from '../src/repo/blob-reader.js';
import { createBlobCodec } from '../src/repo/compression.js';
import { loadIndex } from '../src/repo/index-load.js';
import { packName } from '../src/repo/pack-writer.js';
import { Repository } from '../src/repo/repository.js';
import { listSnapshots } from '../src/repo/snapshot-store.js';
import { walkSnapshotTree } from '../src/repo/tree-walk.js';
import { loadZstd } from '../src/repo/zstd.js';
import { nodeJson } from '../src/report/node-format.js';
import { lines, type RunResult, suiteDir, vigil } from './helpers.js';

const CHEAP = { N: 2 ** 10, r: 8, p: 1 };
const SRC_ENV = { VIGIL_PASSWORD: 'source pw', VIGIL_PASSWORD_FILE: '' };
const DST_ENV = { VIGIL_PASSWORD: 'target pw', VIGIL_PASSWORD_FILE: '', VIGIL_FROM_PASSWORD: 'source pw' };
const text = (r: RunResult) => r.stdout.toString('utf8');
const json = (r: RunResult) => lines(r.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('looking inside snapshots: ls, diff, find, verify --read-data-subset, copy', () => {
  const at = suiteDir('vigil-inspect-');
  let src: string;
  let repo: string;
  let ids: string[];
  const open = (path: string, password: string) => Repository.open(path, { password: async () => password });

  before(async () => {
    src = at('src');
    repo = at('repo');
    mkdirSync(join(src, 'docs'), { recursive: true });
    mkdirSync(join(src, 'keep'));
    writeFileSync(join(src, 'docs', 'a.txt'), 'alpha\n');
    writeFileSync(join(src, 'docs', 'b.conf'), 'bee\n');
    writeFileSync(join(src, 'docs', 'old.txt'), 'content that moves\n');
    writeFileSync(join(src, 'keep', 'stable.txt'), 'never changes\n');
    // Trees record atimes, and the first backup's read would move this one (relatime: atime <=
    // mtime): an atime ahead of now stays, so keep/ is one tree in both snapshots.
    utimesSync(join(src, 'keep', 'stable.txt'), Date.now() / 1000 + 3600, Date.now() / 1000 - 3600);
    writeFileSync(join(src, 'private'), 'secret\n', { mode: 0o644 });
    writeFileSync(join(src, 'gone.txt'), 'removed later\n');
    await Repository.init(repo, { password: SRC_ENV.VIGIL_PASSWORD, scrypt: CHEAP });
    const first = await vigil(['backup', src, '--to', repo, '--no-progress', '-j', '1'], { env: SRC_ENV });
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(join(src, 'docs', 'b.conf'), 'bee, changed\n');
    mkdirSync(join(src, 'new'));
    renameSync(join(src, 'docs', 'old.txt'), join(src, 'new', 'moved.txt'));
    writeFileSync(join(src, 'new', 'added.txt'), 'fresh\n');
    rmSync(join(src, 'gone.txt'));
    chmodSync(join(src, 'private'), 0o600);
    const second = await vigil(['backup', src, '--to', repo, '--no-progress', '-j', '1'], { env: SRC_ENV });
    assert.equal(second.code, 0, second.stderr);
    ids = (await listSnapshots(await open(repo, SRC_ENV.VIGIL_PASSWORD))).snapshots.map((s) => s.id);
    assert.equal(ids.length, 2);
  });

  it('ls lists paths in order, -l like restic, --json as NDJSON, a PATH as its subtree; a PATH not held is exit 1', async () => {
    const [plain, long, asJson, missing] = await Promise.all([
      vigil(['ls', repo, 'latest'], { env: SRC_ENV }),
      vigil(['ls', repo, ids[1] as string, '-l', join(src, 'private')], { env: SRC_ENV }),
      vigil(['ls', repo, (ids[0] as string).slice(0, 8), '--json', join(src, 'docs')], { env: SRC_ENV }),
      vigil(['ls', repo, 'latest', join(src, 'gone.txt')], { env: SRC_ENV }),
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    const listed = lines(plain.stdout).filter((p) => p.startsWith(src));
    assert.deepEqual(
      listed.map((p) => p.slice(src.length)),
      [
        '',
        '/docs',
        '/docs/a.txt',
        '/docs/b.conf',
        '/keep',
        '/keep/stable.txt',
        '/new',
        '/new/added.txt',
        '/new/moved.txt',
        '/private',
      ],
    );
    assert.equal(long.code, 0, long.stderr);
    assert.match(text(long), /^-rw------- +\S+ +\S+ +7 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d .*\/private\n$/);
    assert.equal(asJson.code, 0, asJson.stderr);
    const [head, ...nodes] = json(asJson);
    assert.equal(head?.struct_type, 'snapshot');
    assert.equal(head?.id, ids[0]);
    assert.deepEqual(
      nodes.map((n) => [n.struct_type, n.type, (n.path as string).slice(src.length), n.size]),
      [
        ['node', 'dir', '/docs', 0],
        ['node', 'file', '/docs/a.txt', 6],
        ['node', 'file', '/docs/b.conf', 4],
        ['node', 'file', '/docs/old.txt', 19],
      ],
    );
    assert.equal(missing.code, 1);
    assert.equal(text(missing), '');
    assert.match(missing.stderr, /gone\.txt: not in snapshot/);
  });

  it("diff reports check's groups, skips equal subtrees, and --json names each change", async () => {
    const [human, machine] = await Promise.all([
      vigil(['diff', repo, ids[0] as string, 'latest'], { env: SRC_ENV }),
      vigil(['diff', repo, ids[0] as string, ids[1] as string, '--json'], { env: SRC_ENV }),
    ]);
    assert.equal(human.code, 0, human.stderr);
    const out = text(human).replaceAll(src, 'SRC');
    assert.match(out, /added \(2\):\n {2}\+ SRC\/new\/\n {2}\+ SRC\/new\/added\.txt\n/);
    assert.match(out, /removed \(1\):\n {2}- SRC\/gone\.txt\n/);
    assert.match(out, /modified \(1\):\n {2}~ SRC\/docs\/b\.conf \(content, 4 -> 13 bytes\)/);
    assert.match(out, /moved \(1\):\n {2}> SRC\/docs\/old\.txt -> SRC\/new\/moved\.txt\n/);
    assert.match(out, /\* SRC\/private \(mode 0644 -> 0600\)/);
    // keep/ is the same tree in both: skipped, not read.
    assert.match(
      out,
      /Summary: 2 added, 1 removed, 1 modified, 1 moved, \d+ metadata .*, 1 unchanged directory skipped\)/,
    );
    assert.equal(machine.code, 0, machine.stderr);
    const changes = json(machine);
    const summary = changes.pop() as Record<string, unknown>;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.sameTrees, 1);
    const byType = (type: string) =>
      changes.filter((c) => c.type === type).map((c) => (c.path as string).slice(src.length));
    assert.deepEqual(byType('moved'), ['/new/moved.txt']);
    assert.deepEqual(byType('removed'), ['/gone.txt']);
    assert.deepEqual(byType('modified'), ['/docs/b.conf']);
    assert.ok(byType('metadata').includes('/private'));
    assert.equal(changes.find((c) => c.type === 'moved')?.from, join(src, 'docs', 'old.txt'));
  });

  it('find matches names or paths by glob and names the snapshots holding each match', async () => {
    const [names, paths, asJson] = await Promise.all([
      vigil(['find', repo, '*.txt'], { env: SRC_ENV }),
      vigil(['find', repo, 'docs/*.conf', `${src}/new/*`, '--snapshot', (ids[1] as string).slice(0, 8)], {
        env: SRC_ENV,
      }),
      vigil(['find', repo, 'b.conf', '--json'], { env: SRC_ENV }),
    ]);
    assert.equal(names.code, 0, names.stderr);
    const [s0, s1] = (ids as [string, string]).map((id) => id.slice(0, 8));
    assert.deepEqual(
      lines(names.stdout).map((l) => l.replace(src, 'SRC')),
      [
        'SRC/docs/a.txt  in all 2 snapshots',
        `SRC/docs/old.txt  in 1 snapshot: ${s0}`,
        `SRC/gone.txt  in 1 snapshot: ${s0}`,
        'SRC/keep/stable.txt  in all 2 snapshots',
        `SRC/new/added.txt  in 1 snapshot: ${s1}`,
        `SRC/new/moved.txt  in 1 snapshot: ${s1}`,
        '6 matches in 2 snapshots',
      ],
    );
    assert.deepEqual(
      lines(paths.stdout).map((l) => l.replace(src, 'SRC')),
      [
        `SRC/docs/b.conf  in 1 snapshot: ${s1}`,
        `SRC/new/added.txt  in 1 snapshot: ${s1}`,
        `SRC/new/moved.txt  in 1 snapshot: ${s1}`,
        '3 matches in 1 snapshot',
      ],
    );
    const [match] = json(asJson);
    assert.deepEqual(match?.snapshots, ids);
    assert.equal(match?.size, 13, 'the entry as the newest snapshot holds it');
    assert.throws(() => entryMatcher(['*.txt', '']), UsageError);
    assert.throws(() => entryMatcher([]), UsageError);
  });

  it('copy re-encrypts into another repository, stores only missing blobs, and skips what DST holds', async () => {
    const dst = at('dst');
    await Repository.init(dst, { password: DST_ENV.VIGIL_PASSWORD, scrypt: CHEAP });
    const [badPassword, first] = await Promise.all([
      vigil(['copy', repo, dst], { env: { ...DST_ENV, VIGIL_FROM_PASSWORD: 'wrong' } }),
      vigil(['copy', repo, dst, (ids[0] as string).slice(0, 8), '--json'], { env: DST_ENV }),
    ]);
    assert.equal(badPassword.code, 5);
    assert.match(badPassword.stderr, /VIGIL_FROM_PASSWORD/);
    assert.equal(first.code, 0, first.stderr);
    const second = await vigil(['copy', repo, dst], { env: DST_ENV });
    assert.equal(second.code, 0, second.stderr);
    assert.match(text(second), new RegExp(`copied ${(ids[1] as string).slice(0, 8)} -> [0-9a-f]{8}\n`));
    assert.match(text(second), /skipped .*holds it already/);
    const one = json(first)[0] as { copied: unknown[]; storedBlobs: number };
    assert.equal(one.copied.length, 1);
    const secondStored = Number(/; (\d+) blobs? stored/.exec(text(second))?.[1]);

    // In-process from here: a third copy finds everything there; DST holds each blob its
    // snapshots use, once, and nothing else; both repositories list the same entries.
    const source = await open(repo, SRC_ENV.VIGIL_PASSWORD);
    const target = await open(dst, DST_ENV.VIGIL_PASSWORD);
    const codec = createBlobCodec(await loadZstd());
    const third = await copySnapshots({
      from: source,
      to: target,
      codec,
      snapshots: (await listSnapshots(source)).snapshots,
      log: assert.fail,
    });
    assert.deepEqual([third.copied.length, third.present.length, third.storedBlobs], [0, 2, 0]);
    const index = (await loadIndex(target.storage, target.sealer)).index;
    assert.equal(index.size, one.storedBlobs + secondStored);
    const reader = new BlobReader(target.storage, index, target.sealer, target.ids, codec);
    const sourceReader = (await openSnapshotReading(source, codec, assert.fail)).reader;
    const used = new Set<string>();
    const listing = async (r: BlobReader, tree: Buffer) => {
      const lines: string[] = [];
      for await (const { path, entry } of walkSnapshotTree(r, tree, (dir, e) => assert.fail(`${dir}: ${e}`))) {
        lines.push(JSON.stringify(nodeJson(path, entry.node)));
      }
      return lines;
    };
    const copies = (await listSnapshots(target)).snapshots;
    for (const { snapshot } of copies) {
      used.add(snapshot.tree.toString('hex'));
      for await (const { entry } of walkSnapshotTree(reader, snapshot.tree, (dir, e) => assert.fail(`${dir}: ${e}`))) {
        if (entry.subtree) used.add(entry.subtree.toString('hex'));
        for (const ref of entry.content ?? []) used.add(ref.id.toString('hex'));
      }
    }
    assert.equal(used.size, index.size);
    const originals = (await listSnapshots(source)).snapshots;
    assert.deepEqual(
      await Promise.all(copies.map((c) => listing(reader, c.snapshot.tree))),
      await Promise.all(originals.map((o) => listing(sourceReader, o.snapshot.tree))),
    );
    await reader.close();
    await sourceReader.close();
    assert.deepEqual((await verifyRepository({ repo: target, codec, readData: true })).problems, []);
  });

  it('verify --read-data-subset reads the n-th of m groups of packs by id; P% a random share', async () => {
    const source = await open(repo, SRC_ENV.VIGIL_PASSWORD);
    const codec = createBlobCodec(await loadZstd());
    const { index } = await loadIndex(source.storage, source.sealer);
    const full = await verifyRepository({ repo: source, codec, readData: true });
    const [low, high] = (await Promise.all(
      ['1/2', '2/2'].map((s) => {
        const subset = parseDataSubset(s);
        return verifyRepository({
          repo: source,
          codec,
          readData: true,
          selectPacks: (all) => selectPacks(subset, all),
        });
      }),
    )) as [typeof full, typeof full];
    assert.equal(low.packsChecked + high.packsChecked, index.packCount);
    assert.equal(low.chunksChecked + high.chunksChecked, full.chunksChecked);
    const packs = [...index.packIds()];
    assert.equal(selectPacks(parseDataSubset('1%'), packs).size, 1, 'at least one pack');
    assert.equal(selectPacks(parseDataSubset('100%'), packs).size, packs.length);
    for (const bad of ['0/2', '3/2', '1/257', '0%', '101%', 'half']) {
      assert.throws(() => parseDataSubset(bad), UsageError, bad);
    }

    // Damage a pack holding only file data: only its group's read finds it.
    const dataPack = index.packs().find((p) => p.entries.every((e) => e.kind === 'data'))?.id as string;
    const group = (Number.parseInt(dataPack.slice(0, 2), 16) % 2) + 1;
    const path = join(repo, packName(dataPack));
    const bytes = readFileSync(path);
    bytes[0] = (bytes[0] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const [hit, miss] = await Promise.all([
      vigil(['verify', repo, '--read-data-subset', `${group}/2`], { env: SRC_ENV }),
      vigil(['verify', repo, '--read-data-subset', `${3 - group}/2`], { env: SRC_ENV }),
    ]);
    assert.equal(hit.code, 1, hit.stdout.toString());
    assert.match(hit.stderr, new RegExp(`pack ${dataPack.slice(0, 16)}`));
    assert.equal(miss.code, 0, miss.stderr);
    assert.match(text(miss), /\(group \d of 2\)/);
  });
});
