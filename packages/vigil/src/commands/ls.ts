/**
 * `vigil ls REPO SNAPSHOT [PATH]`: the entries of a snapshot (or of the subtree at PATH, PATH
 * included), depth first in name order: paths alone, `-l` long lines, or `--json` NDJSON
 * (a snapshot object first, then one node object per entry, as restic's ls --json).
 * A PATH the snapshot does not hold is exit 1, named.
 */
import { resolve } from 'node:path';
import { RepositoryLock } from '../backup/lock.js';
import { findSnapshot, shortId } from '../backup/snapshots.js';
import { ExitCode, exitCodeForOutcome } from '../exit.js';
import { locate, openSnapshotReading, walkInOrder } from '../inspect/snapshot-reading.js';
import type { BlobCodec } from '../repo/compression.js';
import type { Repository } from '../repo/repository.js';
import { decodeTreeListing } from '../repo/tree.js';
import { longLine, nodeJson } from '../report/node-format.js';
import { BufferedOutput } from '../report/output.js';
import { quotePath } from '../report/quote-path.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface LsOptions extends PasswordFlags {
  readonly repo: string;
  readonly snapshot: string;
  readonly path?: string | undefined;
  readonly long?: boolean;
  readonly json?: boolean;
}

export async function ls(options: LsOptions): Promise<ExitCode> {
  const repo = await openRepository(options.repo, options);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const codec = await repositoryCodec();
  const lock = await RepositoryLock.acquire(repo, 'shared', { command: 'ls', refresher: 'timer' });
  try {
    return await list(options, repo, codec, log);
  } finally {
    await lock.release();
  }
}

async function list(
  options: LsOptions,
  repo: Repository,
  codec: BlobCodec,
  log: (line: string) => void,
): Promise<ExitCode> {
  const { id, snapshot } = await findSnapshot(repo, options.snapshot, log);
  const { reader } = await openSnapshotReading(repo, codec, log);
  const out = new BufferedOutput(process.stdout as never);
  let damaged = 0;
  try {
    const wanted = Buffer.from(resolve('/', options.path ?? '/'));
    const found = await locate(reader, snapshot.tree, wanted);
    if (found === undefined) {
      log(`vigil: ${quotePath(wanted)}: not in snapshot ${shortId(id)} (list it with vigil ls REPO ${shortId(id)})`);
      return ExitCode.someFilesFailed;
    }
    if (options.json) {
      const { time, host, sources, tags } = snapshot;
      out.write(
        `${JSON.stringify({ struct_type: 'snapshot', id, short_id: shortId(id), time, host, sources, tags })}\n`,
      );
    }
    const show = (path: Buffer, node: Parameters<typeof longLine>[1]) => {
      if (options.json) out.write(`${JSON.stringify(nodeJson(path, node))}\n`);
      else out.write(`${options.long ? longLine(path, node) : quotePath(path)}\n`);
    };
    if (found.entry !== undefined) show(found.path, found.entry.node);
    const subtree = found.entry === undefined ? snapshot.tree : found.entry.subtree;
    if (subtree !== undefined) {
      const onDamaged = (dir: Buffer, error: Error) => {
        damaged++;
        log(`vigil: ${quotePath(dir)}: its entries cannot be listed: ${error.message}`);
      };
      for await (const { path, entry } of walkInOrder(reader, subtree, found.path, onDamaged, decodeTreeListing)) {
        show(path, entry.node);
        if (out.blocked) await out.blocked;
      }
    }
    await out.end();
    return exitCodeForOutcome({ failures: damaged });
  } finally {
    await reader.close();
  }
}
