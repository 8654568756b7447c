// The CPU a backup worker spends per entry on a second backup, in one thread, without the
// pool: reads the newest snapshot of REPO as the parent (as a backup does, in this thread),
// walks SOURCE, and runs storeEntriesWith on batches of 256 entries as a worker would, with
// the parent records each batch gets, cloning each result as postMessage would. Changed files
// are read and stored again each round (into packs no index lists: use a copy of the
// repository). Prints CPU (user + sys) per round; compare builds in alternating runs:
//   VIGIL_PASSWORD=... node bench/backup/worker-entries.mjs packages/vigil/dist REPO-COPY SOURCE [rounds]
const [distArg, repoPath, source, roundsArg = '3'] = process.argv.slice(2);
const { resolve } = await import('node:path');
const dist = resolve(distArg);
const { openRepository, repositoryCodec } = await import(`${dist}/commands/repository-access.js`);
const { loadIndex } = await import(`${dist}/repo/index-load.js`);
const { listSnapshots } = await import(`${dist}/repo/snapshot-store.js`);
const { readParentFiles } = await import(`${dist}/backup/parent-snapshot.js`);
const { ParentFileTable } = await import(`${dist}/backup/parent-files.js`);
const { storeEntriesWith } = await import(`${dist}/backup/store-entries.js`);
const { workerRepository } = await import(`${dist}/backup/worker-repository.js`);
const { fileReader } = await import(`${dist}/fs/reader.js`);
const { FileListBuilder } = await import(`${dist}/fs/file-list.js`);
const { walk } = await import(`${dist}/fs/walk.js`);
const { PathFlag } = await import(`${dist}/fs/records.js`);
const repo = await openRepository(repoPath, {});
const codec = await repositoryCodec();
const loaded = await loadIndex(repo.storage, repo.sealer);
const parent = (await listSnapshots(repo)).snapshots.at(-1);
const read = await readParentFiles({ ...repo, codec }, loaded.index, parent.snapshot.tree, 'p');
const table = new ParentFileTable(read.table);
const entries = [];
for await (const batch of walk([Buffer.from(resolve(source))], {
  follow: false,
  oneFileSystem: false,
  excludes: [],
  directories: true,
  excludeCaches: false,
})) {
  const base = 0;
  for (const e of batch) {
    if (e.kind === 'error') continue;
    entries.push([e.path, e.base ?? base, e.kind === 'file' && e.follow ? PathFlag.follow : 0]);
  }
}
const knownBlobs = loaded.index.shareIds();
for (let r = 0; r < +roundsArg; r++) {
  const runId = `bench-${r}-${Math.random()}`;
  const wrepo = await workerRepository(repo.secrets, knownBlobs, runId);
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < entries.length; i += 256) {
    const b = new FileListBuilder();
    for (const [p, base, flags] of entries.slice(i, i + 256)) b.add(p, flags, base);
    const paths = b.paths;
    const request = {
      secrets: repo.secrets,
      knownBlobs,
      runId,
      compression: 'auto',
      list: b.build(),
      parents: table.recordsFor(paths),
      parentTimeNs: parent.snapshot.timeNs.toString(),
    };
    const res = await storeEntriesWith(fileReader(), wrepo, request);
    structuredClone(res);
  }
  const c = process.cpuUsage(t0);
  console.log(
    `round ${r}: ${entries.length} entries, cpu ${((c.user + c.system) / 1000).toFixed(0)} ms (user ${(c.user / 1000).toFixed(0)} sys ${(c.system / 1000).toFixed(0)}), ${((c.user + c.system) / entries.length).toFixed(1)} us/entry, wall ${(performance.now() - w0).toFixed(0)} ms`,
  );
}
