// Compiles the TypeScript tests to JavaScript in a mirror of the repository (.test-build/), so
// that node --test runs them with no loader.
//
// Why not tsx, as before: on Node.js 20 a loader registered with --import runs in a hooks thread
// of its own, once for the test process and once more for every worker thread and child process a
// test starts (they inherit --import), and every module any of them loads crosses to that thread
// and back. A tandem worker took 1.4 s to answer its first task under tsx and 0.35 s without, and
// tandem's and vigil's tests start hundreds of workers. The examples still run under tsx, as their
// README tells users to run them.
//
// The mirror: each compiled root (a package's tests, fixtures, helpers and sources) is copied;
// every .ts, .mts and .cts file gains a compiled .js, .mjs or .cjs beside it, in which relative
// specifiers and path strings ending in .ts (`import x from './tasks.ts'`,
// `new URL('./fixtures/p.mts', import.meta.url)`) name the compiled file instead. The TypeScript
// sources stay in the copy, so a path a test builds at run time (`fixture('run-tsx.mts')`, started
// with `node --import tsx`) still finds its file. Everything else in the repository (dist/,
// native/, node_modules/, package.json files) is a symbolic link to the real thing, so paths like
// `../dist/cli.js` and package imports resolve as in the source tree.
// Like tsx, this strips types without checking them; `tsc -b` checks the sources and
// packages/tandem/test/types.test.ts the public API.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, sep } from 'node:path';
import { transformSync } from 'esbuild';

/** The mirror's folder, below the repository root (git and biome ignore it). */
export const TEST_BUILD_DIR = '.test-build';

const TS_SOURCE = /\.([mc]?)ts$/;
/** A relative path in quotes that ends in .ts, .mts or .cts: rewritten to the compiled file. */
const RELATIVE_TS_PATH = /(['"`])(\.{1,2}\/[^'"`\n]*?)\.([mc]?)ts\1/g;

/**
 * Builds a mirror for this run, `<root>/.test-build/run-<pid>`, of the given roots (folders
 * relative to `root`, e.g. `packages/tandem/test`) and returns its path. A file's mirror path is
 * its path relative to `root`, below the mirror. Each run has its own, so two test commands in one
 * tree do not pull files from under each other; mirrors of runs that ended are removed here.
 */
export function compileTests(root, compileRoots) {
  const builds = join(root, TEST_BUILD_DIR);
  removeEndedRuns(builds);
  const mirror = join(builds, `run-${process.pid}`);
  rmSync(mirror, { recursive: true, force: true });
  mirrorFolder(root, mirror, '', compileRoots);
  return mirror;
}

/** Removes the mirrors whose run (the process named in the folder) is no longer alive. */
function removeEndedRuns(builds) {
  if (!existsSync(builds)) return;
  for (const name of readdirSync(builds)) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && isAlive(pid)) continue;
    rmSync(join(builds, name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Walks the folders that lead to a compiled root; links every other entry to the real one. */
function mirrorFolder(root, mirror, folder, compileRoots) {
  mkdirSync(join(mirror, folder), { recursive: true });
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (path === TEST_BUILD_DIR || path === '.git') continue;
    if (compileRoots.includes(path)) copyTestTree(join(root, path), join(mirror, path));
    else if (entry.isDirectory() && compileRoots.some((compileRoot) => compileRoot.startsWith(`${path}/`))) {
      mirrorFolder(root, mirror, path, compileRoots);
    } else symlinkSync(join(root, path), join(mirror, path));
  }
}

function copyTestTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) copyTestTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isFile()) {
      copyFileSync(source, target);
      if (TS_SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) compileFile(source, target);
    }
  }
}

function compileFile(source, target) {
  const code = readFileSync(source, 'utf8').replace(RELATIVE_TS_PATH, (_, quote, base, kind) => {
    return `${quote}${base}.${kind}js${quote}`;
  });
  const { code: compiled } = transformSync(code, {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    // Stack traces name the TypeScript file and line (the runner passes --enable-source-maps).
    sourcemap: 'inline',
    sourcefile: source,
  });
  writeFileSync(target.replace(TS_SOURCE, '.$1js'), compiled);
}

/**
 * The folders compiled into the mirror: each package's tests and its sources (vigil's tests import
 * modules from ../src as well as the built CLI), and the examples.
 */
export function defaultCompileRoots(root) {
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const folders = packages.flatMap((entry) => [`packages/${entry.name}/src`, `packages/${entry.name}/test`]);
  return [...folders.filter((folder) => existsSync(join(root, folder))), 'examples'];
}

/** The mirror path of a source file (relative to `root`), with its compiled extension. */
export function compiledPath(mirror, file) {
  return join(mirror, file.split('/').join(sep)).replace(TS_SOURCE, '.$1js');
}
