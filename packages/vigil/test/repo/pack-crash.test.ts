/**
 * Crash safety of the pack writer: a child process writing packs is killed with SIGKILL at
 * different points of its progress (which it reports through a pipe); afterwards data/ holds
 * only complete packs that hash to their names and whose headers read back, every pack the
 * child reported is there, every index file reads back and names only packs that are there,
 * anything partial is under tmp/, and a new writer carries on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadIndex, missingPacks } from '../../src/repo/index-load.js';
import { packMatchesId, readPackEntries } from '../../src/repo/pack-reader.js';
import { PackWriter, publishPacks } from '../../src/repo/pack-writer.js';
import { LocalStorage } from '../../src/storage/local-storage.js';
import { suiteDir } from '../helpers.js';
import { macSealer } from './sealers.js';

const CHILD = fileURLToPath(new URL('./support/pack-child.ts', import.meta.url));

/** Runs the child until it has reported `packs` packs and then `blobs` more blobs, and kills it. */
async function killWhileWriting(repo: string, packs: number, blobs: number): Promise<string[]> {
  const child = spawn(process.execPath, [CHILD, repo], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const reported: string[] = [];
  let blobsAfter = -1;
  for await (const line of createInterface({ input: child.stdout })) {
    const [what, value] = line.split(' ');
    if (what === 'pack') {
      reported.push(value!);
      if (reported.length === packs) blobsAfter = 0;
    } else if (blobsAfter >= 0 && blobsAfter++ === blobs) {
      child.kill('SIGKILL');
      break;
    }
  }
  assert.equal(await exited, 'SIGKILL');
  return reported;
}

function packsIn(repo: string): string[] {
  const data = join(repo, 'data');
  if (!existsSync(data)) return [];
  return readdirSync(data).flatMap((folder) => readdirSync(join(data, folder)));
}

describe('pack writer killed with SIGKILL', () => {
  const at = suiteDir('vigil-pack-crash-');
  const sealer = macSealer();

  for (const [packs, blobs] of [
    [1, 0],
    [2, 3],
    [3, 19],
  ] as const) {
    it(`leaves only complete packs, killed ${blobs} blobs after pack ${packs}`, async () => {
      const repo = at(`repo-${packs}-${blobs}`);
      const reported = await killWhileWriting(repo, packs, blobs);
      const storage = new LocalStorage(repo);
      const found = packsIn(repo);
      for (const id of reported) assert.ok(found.includes(id), `reported pack ${id} is in data/`);
      for (const id of found) {
        assert.ok(await packMatchesId(storage, id), `${id} hashes to its name`);
        assert.ok((await readPackEntries(storage, id, sealer)).length > 0, `${id} has a header that reads back`);
      }
      for (const name of readdirSync(join(repo, 'tmp'))) {
        assert.match(name, /^(pack-[0-9a-f]{16}|[0-9a-f]{64}-[0-9a-f]{12})\.tmp$/);
      }
      // Every index file is complete, and names only packs that are there.
      const loaded = await loadIndex(storage, sealer);
      assert.deepEqual(loaded.damaged, []);
      assert.ok(loaded.files.length >= packs - 1, `${loaded.files.length} index files`);
      assert.deepEqual(await missingPacks(storage, loaded.index), []);

      // The next run succeeds beside what the killed one left.
      const writer = new PackWriter(storage.stagingDir, sealer);
      writer.add({
        kind: 'data',
        id: Buffer.alloc(32, 3),
        payload: Buffer.from('next run'),
        rawLength: 8,
        compressed: false,
      });
      const [next] = await publishPacks(storage, [writer.flush()!]);
      assert.equal((await readPackEntries(storage, next!.id, sealer)).length, 1);
      assert.deepEqual(packsIn(repo).sort(), [...found, next!.id].sort());
    });
  }
});
