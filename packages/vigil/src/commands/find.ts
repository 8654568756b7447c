/**
 * `vigil find REPO PATTERN...`: the entries of every snapshot (or of each --snapshot) whose
 * name matches a PATTERN (or whose path does, for a pattern with a '/'), each path once with
 * the snapshots that hold it, oldest first. `--json`: one object per path (the entry as the
 * newest of those snapshots holds it, and the ids of all of them). Exit 0 whether or not
 * anything matched (as restic find); 1 when a tree could not be read.
 */
import { withRepositoryLock } from '../backup/lock.js';
import { findSnapshot, shortId } from '../backup/snapshots.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { type EntryMatcher, entryMatcher, SnapshotFinder } from '../inspect/find-matches.js';
import { openSnapshotReading } from '../inspect/snapshot-reading.js';
import type { BlobCodec } from '../repo/compression.js';
import type { Repository } from '../repo/repository.js';
import { listSnapshots, type StoredSnapshot } from '../repo/snapshot-store.js';
import type { TreeNode } from '../repo/tree.js';
import { nodeJson } from '../report/node-format.js';
import { BufferedOutput } from '../report/output.js';
import { count } from '../report/plural.js';
import { quotePath } from '../report/quote-path.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface FindOptions extends PasswordFlags {
  readonly repo: string;
  readonly patterns: readonly string[];
  /** Only these snapshots (ids, prefixes or "latest"); empty: all. */
  readonly snapshot?: readonly string[];
  readonly json?: boolean;
}

interface Holding {
  readonly path: Buffer;
  /** As the newest snapshot holding it has it. */
  entry: TreeNode;
  readonly ids: string[];
}

export async function find(options: FindOptions): Promise<ExitCode> {
  const matches = entryMatcher(options.patterns);
  const repo = await openRepository(options.repo, options);
  const codec = await repositoryCodec();
  return withRepositoryLock(repo, 'shared', { command: 'find', refresher: 'timer' }, () =>
    search(options, matches, repo, codec),
  );
}

async function search(
  options: FindOptions,
  matches: EntryMatcher,
  repo: Repository,
  codec: BlobCodec,
): Promise<ExitCode> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const listing = await listSnapshots(repo);
  for (const { id, error } of listing.damaged) log(`vigil: snapshot ${shortId(id)} is damaged: ${error.message}`);
  let chosen: readonly StoredSnapshot[] = listing.snapshots;
  if (options.snapshot && options.snapshot.length > 0) {
    // Named ones, each once, oldest first (the listing's order).
    const named = new Set<string>();
    for (const s of options.snapshot) named.add((await findSnapshot(repo, s, () => {})).id);
    chosen = listing.snapshots.filter((s) => named.has(s.id));
  }
  const { reader } = await openSnapshotReading(repo, codec, log);
  let damaged = 0;
  const found = new Map<string, Holding>();
  try {
    const finder = new SnapshotFinder(reader, matches, (dir, error) => {
      damaged++;
      log(`vigil: ${quotePath(dir)}: its entries cannot be searched: ${error.message}`);
    });
    for (const { id, snapshot } of chosen) {
      for (const { path, entry } of await finder.find(snapshot.tree)) {
        const key = path.toString('latin1');
        const holding = found.get(key);
        if (holding === undefined) found.set(key, { path, entry, ids: [id] });
        else {
          holding.entry = entry;
          holding.ids.push(id);
        }
      }
    }
  } finally {
    await reader.close();
  }
  const out = new BufferedOutput(process.stdout as never);
  const sorted = [...found.values()].sort((x, y) => Buffer.compare(x.path, y.path));
  for (const { path, entry, ids } of sorted) {
    if (options.json) {
      out.write(`${JSON.stringify({ ...nodeJson(path, entry.node), struct_type: 'match', snapshots: ids })}\n`);
    } else {
      const where =
        ids.length === chosen.length && chosen.length > 1
          ? `in all ${ids.length} snapshots`
          : `in ${count(ids.length, 'snapshot')}: ${ids.map(shortId).join(' ')}`;
      out.write(`${quotePath(path)}${entry.node.type === 'dir' ? '/' : ''}  ${where}\n`);
    }
    if (out.blocked) await out.blocked;
  }
  if (!options.json) {
    const n = sorted.length;
    out.write(`${count(n, 'match', 'matches')} in ${count(chosen.length, 'snapshot')}\n`);
  }
  await out.end();
  return exitCodeForOutcome({ failures: damaged });
}
