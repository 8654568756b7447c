// CPU time to decode every tree of a snapshot, for one or more builds of vigil side by side
// (alternating, best of 7 rounds each), with JSON.parse alone as the floor. The trees are read
// once with the first build; only decoding is timed (process CPU time: steadier than wall time
// on a shared machine).
//
//   VIGIL_PASSWORD=... node bench/repo/tree-decode.mjs REPO [SNAPSHOT] -- DIST [DIST...]
//   e.g. node bench/repo/tree-decode.mjs bench/.scratch/backup/vigil -- packages/vigil/dist OLD/packages/vigil/dist
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const split = args.indexOf('--');
if (split < 1 || split === args.length - 1) {
  console.error('usage: node bench/repo/tree-decode.mjs REPO [SNAPSHOT] -- DIST [DIST...]');
  process.exit(2);
}
const [repoPath, snapshotId = 'latest'] = args.slice(0, split);
const dists = args.slice(split + 1).map((dist) => pathToFileURL(resolve(dist)).href);
const load = (dist, module) => import(`${dist}/${module}`);

const [first] = dists;
const { openRepository, repositoryCodec } = await load(first, 'commands/repository-access.js');
const { findSnapshot } = await load(first, 'backup/snapshots.js');
const { openSnapshotReading } = await load(first, 'inspect/snapshot-reading.js');
const { decodeTree } = await load(first, 'repo/tree.js');
const repo = await openRepository(repoPath, {});
const { snapshot } = findSnapshot(repo, snapshotId, console.error);
const { reader } = openSnapshotReading(repo, await repositoryCodec(), console.error);
const plains = [];
const pending = [snapshot.tree];
let entries = 0;
while (pending.length > 0) {
  const plain = reader.read(pending.pop(), 'tree');
  plains.push(plain);
  for (const entry of decodeTree(plain, 'bench')) {
    entries++;
    if (entry.subtree !== undefined) pending.push(entry.subtree);
  }
}
reader.close();

const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
/** Runs `decode` on every tree. */
const decodeAll = (decode) => {
  for (const plain of plains) decode(plain);
};
const bestOf = (rounds, run) => {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const start = cpuMs();
    run();
    best = Math.min(best, cpuMs() - start);
  }
  return best;
};
const builds = await Promise.all(dists.map((dist) => load(dist, 'repo/tree.js')));
const best = builds.map(() => ({ full: Number.POSITIVE_INFINITY, listing: Number.POSITIVE_INFINITY }));
for (let round = 0; round < 7; round++) {
  builds.forEach((build, i) => {
    best[i].full = Math.min(
      best[i].full,
      bestOf(1, () => decodeAll((p) => build.decodeTree(p, 'bench'))),
    );
    if (build.decodeTreeListing !== undefined) {
      best[i].listing = Math.min(
        best[i].listing,
        bestOf(1, () => decodeAll((p) => build.decodeTreeListing(p, 'bench'))),
      );
    }
  });
}
const parse = bestOf(7, () => decodeAll((p) => JSON.parse(p.toString('utf8'))));
const bytes = plains.reduce((sum, p) => sum + p.length, 0);
console.log(
  `${plains.length} trees, ${entries} entries, ${(bytes / 1e6).toFixed(1)} MB of JSON; JSON.parse alone ${parse.toFixed(0)} ms CPU`,
);
dists.forEach((dist, i) => {
  const listing = Number.isFinite(best[i].listing) ? `${best[i].listing.toFixed(0)} ms` : 'absent';
  console.log(`${dist}: decodeTree ${best[i].full.toFixed(0)} ms, decodeTreeListing ${listing}`);
});
