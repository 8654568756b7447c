/**
 * parallel-hash: split the files into N interleaved chunks, hash each chunk in its own
 * process, collect the results in a Manager dict, check every exit code, print the hashes
 * in sha256sum's format. Directories among the paths stand for the files under them.
 *
 *   npm run example -- parallel-hash [--workers 4] [--crash N] path...
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Manager, Process } from 'tandem';
import { parseOptions } from '../options.ts';
import tasks, { type ChunkHashes } from './hasher.ts';

const usage = 'parallel-hash [--workers 4] [--crash N] path...';
const { options, positionals } = parseOptions(usage, { workers: 4, crash: 0 });
if (positionals.length === 0) {
  console.error(`which files?\nusage: ${usage}`);
  process.exit(2);
}

/** A directory's files (and anything else not a directory: the worker finds out what it can read). */
async function filesUnder(path: string): Promise<string[]> {
  if (!(await stat(path).catch(() => undefined))?.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => !entry.isDirectory()).map((entry) => join(entry.parentPath, entry.name));
}

const files = (await Promise.all(positionals.map(filesUnder))).flat().sort();
const chunkCount = Math.max(1, Math.min(options.workers, files.length));
// File i goes to chunk i mod N, so every chunk gets a share of each part of the list.
const chunks = Array.from({ length: chunkCount }, (_, n) => files.filter((_, i) => i % chunkCount === n));

const manager = new Manager();
const results = await manager.dict<number, ChunkHashes>();
const workers = chunks.map(
  (chunk, n) =>
    new Process({
      target: tasks.hashChunk,
      args: [n + 1, chunk, results, n + 1 === options.crash],
      name: `hasher-${n + 1}`,
      backend: 'process',
    }),
);
for (const worker of workers) worker.start();
await Promise.all(workers.map((worker) => worker.join()));

const failed = workers.filter((worker) => worker.exitCode !== 0);
if (failed.length > 0) {
  for (const worker of failed) console.error(`parallel-hash: ${worker.name} failed with exit code ${worker.exitCode}`);
  console.error('parallel-hash: no hashes printed, as some files were not hashed');
  process.exit(1);
}

const hashes = new Map((await results.values()).flat());
await manager.shutdown();
for (const file of files) {
  const hash = hashes.get(file);
  if (hash !== undefined) console.log(`${hash}  ${file}`);
}
