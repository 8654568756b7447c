#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test and examples/ with node's test runner, compiled to
// JavaScript first (scripts/compile-tests.mjs says why not through a loader). Node 20's --test
// cannot glob, so we list the files here. Arguments filter by path; `--root DIR` runs the tests
// under DIR instead (packaging/: slower tests of the packed packages, which .ci/run runs after
// `npm test`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { compiledPath, compileTests, defaultCompileRoots } from './compile-tests.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const testRoots = rootFlag === -1 ? ['packages', 'examples'] : [args.splice(rootFlag, 2)[1]];
const roots = testRoots.map((dir) => join(root, dir));
const compileRoots = rootFlag === -1 ? defaultCompileRoots(root) : testRoots;

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.test.ts')) yield path;
  }
}

const filters = args;
const files = roots
  .flatMap((dir) => [...walk(dir)])
  .map((file) => relative(root, file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// A hung test must fail, not stall CI. The limit counts for each test and for each file as a
// whole: no test needs more than a minute or two, but a file of many can take several on a
// machine whose cores are busy with other work, so the bound is generous. No --test-force-exit:
// with it, Node's runner can drop the verdicts of a file's last tests and still exit 0
// (nodejs/node#64833, seen here: 273 of 278 vigil tests reported); a file that leaves something
// open after its tests fails by the limit instead, naming itself.
const limits = ['--test-timeout=600000'];
// Two files at a time: most of a file's time is spent waiting on workers, child processes and
// servers it started, so a second file fills the gaps (Node's default on two cores is one).
// Every file makes its own temporary folders and servers on free ports, so none shares state.
// Packaging tests pack the packages, and packing rebuilds their dist/: one file at a time.
limits.push(`--test-concurrency=${rootFlag === -1 ? 2 : 1}`);
// Largest files first: they are the slow ones (the CLI tests spawn vigil a hundred times), and a
// run that starts them last ends with one core busy on them while the other idles.
// Size misjudges a few files that are small but slow: each edge-cases-*.test.ts is four lines
// around edge-cases.ts (15 s each), and the SFTP and S3 suites start real servers (15 and 25 s
// for files of 6 and 9 KB). Sorted by size they would start last and make the run's tail;
// they start first.
const SLOW_SMALL_FILES = [
  'edge-cases-native.test.ts',
  'edge-cases-js.test.ts',
  's3-repository.test.ts',
  'sftp-repository.test.ts',
];
const slowness = (file) => {
  const rank = SLOW_SMALL_FILES.findIndex((name) => file.endsWith(name));
  return rank === -1 ? statSync(join(root, file)).size : Number.MAX_SAFE_INTEGER - rank;
};
const bySize = [...files].sort((a, b) => slowness(b) - slowness(a));
const mirror = compileTests(root, compileRoots);
// vigil backup keeps a cache under XDG_CACHE_HOME (else ~/.cache/vigil): the tests' repositories
// come and go, so their caches go to a folder of the run's own, removed after it.
const cacheHome = mkdtempSync(join(tmpdir(), 'vigil-test-cache-'));
const compiled = bySize.map((file) => compiledPath(mirror, file));
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-reporter=spec', ...limits, ...compiled],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
  },
);
rmSync(mirror, { recursive: true, force: true });
rmSync(cacheHome, { recursive: true, force: true });
process.exit(result.status ?? 1);
