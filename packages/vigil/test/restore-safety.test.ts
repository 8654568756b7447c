/**
 * Restore safety: snapshots whose trees try to lead restore outside TARGET, or to write
 * without bound. The repository has no encryption, so the test holds its keys (as anyone who
 * can write to such a repository does) and forges trees that vigil would never write: each is
 * refused where it is read, names what is wrong, writes nothing outside TARGET, and harms
 * only the entries below it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobWriter } from '../src/repo/blob-writer.js';
import { createBlobCodec } from '../src/repo/compression.js';
import { writeIndexFile } from '../src/repo/index-file.js';
import { Repository } from '../src/repo/repository.js';
import { writeSnapshot } from '../src/repo/snapshot-store.js';
import { loadZstd } from '../src/repo/zstd.js';
import { tempDir, vigil } from './helpers.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A node record as a tree stores it (docs/format-v2-trees.md), with any name: forged ones included. */
function record(name: string, type: 'file' | 'dir' | 'symlink', extra: Record<string, unknown>) {
  return {
    name: b64(name),
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtime: [1_000_000_000, 0],
    atime: [1_000_000_000, 0],
    ...extra,
  };
}

describe('vigil restore refuses trees that lead outside TARGET', () => {
  let dir: { path: string; cleanup: () => void };
  let repo: Repository;
  let payload: Buffer;
  const at = (...names: string[]) => join(dir.path, ...names);

  before(async () => {
    dir = tempDir('vigil-evil-');
    mkdirSync(at('src'));
    writeFileSync(at('src', 'payload'), 'payload\n');
    assert.equal((await vigil(['backup', at('src'), '--to', at('repo')])).code, 0);
    repo = await Repository.open(at('repo'), { password: async () => assert.fail('no password needed') });
    payload = repo.ids.id(readFileSync(at('src', 'payload')));
    mkdirSync(at('outside'));
  });
  after(() => dir.cleanup());

  /** Stores trees (root last) and commits a snapshot of the root, as a tampered repository would hold it. */
  async function forge(trees: unknown[]): Promise<string> {
    const codec = createBlobCodec(await loadZstd());
    const writer = new BlobWriter({
      storage: repo.storage,
      sealer: repo.sealer,
      ids: repo.ids,
      codec,
      compression: 'off',
      known: () => false,
    });
    const ids = trees.map((tree) => writer.store('tree', Buffer.from(JSON.stringify(tree))).id);
    await writeIndexFile(repo.storage, repo.sealer, await writer.takePacks());
    const id = await writeSnapshot(repo, {
      version: 1,
      time: new Date(1_000).toISOString(),
      timeNs: 1_000_000_000n,
      host: 'evil',
      sources: ['/x'],
      tags: [],
      tree: ids.at(-1) as Buffer,
      stats: { files: 1, dirs: 0, symlinks: 0, others: 0, totalBytes: 8, newBytes: 0, newBlobs: 0, storedBytes: 0 },
      incomplete: false,
      unreadableCount: 0,
      unreadable: [],
    });
    return id;
  }
  const file = (name: string, extra: Record<string, unknown> = {}) =>
    record(name, 'file', { size: 8, content: [[0, payload.toString('hex'), 8]], ...extra });

  const CASES = [
    { name: 'dotdot', tree: () => ({ nodes: [file('..')] }), why: /damaged.*"\.\."|damaged.*name/ },
    { name: 'slash', tree: () => ({ nodes: [file('a/../../escaped')] }), why: /damaged.*not one path component/ },
    { name: 'empty', tree: () => ({ nodes: [file('')] }), why: /damaged.*not one path component/ },
    {
      name: 'linkto',
      tree: () => ({ nodes: [file('a', { content: undefined, linkTo: b64('../../outside/escaped') })] }),
      why: /damaged.*linkTo|damaged.*link/,
    },
    {
      name: 'beyond',
      tree: () => ({ nodes: [file('a', { size: 4, content: [[1 << 30, payload.toString('hex'), 8]] })] }),
      why: /damaged.*(size|past|beyond)/,
    },
  ];
  for (const c of CASES) {
    it(`refuses a tree with ${c.name}, names it, and writes nothing outside TARGET (exit 1)`, async () => {
      const id = await forge([c.tree()]);
      const target = at(`target-${c.name}`);
      const result = await vigil(['restore', at('repo'), id.slice(0, 12), target]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, c.why);
      assert.deepEqual(readdirSync(at('outside')), []);
      assert.equal(existsSync(at('escaped')), false);
      assert.deepEqual(existsSync(target) ? readdirSync(target) : [], []);
      // verify names the same snapshot damaged.
      const verified = await vigil(['verify', at('repo'), id.slice(0, 12), '--structure-only']);
      assert.equal(verified.code, 1);
      assert.match(verified.stdout.toString(), new RegExp(`damaged snapshots: ${id.slice(0, 8)}`));
    });
  }

  it('does not write through a symlink that already exists inside TARGET (exit 1)', async () => {
    mkdirSync(at('outside2'));
    const target = at('target-link');
    mkdirSync(target);
    symlinkSync(at('outside2'), join(target, 'x'));
    const inner = { nodes: [file('escaped')] };
    const innerId = repo.ids.id(Buffer.from(JSON.stringify(inner)));
    const id = await forge([inner, { nodes: [record('x', 'dir', { subtree: innerId.toString('hex') })] }]);
    const result = await vigil(['restore', at('repo'), id.slice(0, 12), target]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /x: .*symlink/);
    assert.deepEqual(readdirSync(at('outside2')), []);
  });

  it('restores the other snapshots of a repository holding forged ones', async () => {
    const result = await vigil(['snapshots', at('repo'), '--json']);
    const list = JSON.parse(result.stdout.toString()) as { id: string; host: string }[];
    const good = list.find((s) => s.host !== 'evil');
    assert.ok(good);
    const target = at('target-good');
    const restored = await vigil(['restore', at('repo'), good.id, target]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(readFileSync(join(target, at('src', 'payload')), 'utf8'), 'payload\n');
  });
});
