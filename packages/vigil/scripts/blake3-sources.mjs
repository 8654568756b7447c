#!/usr/bin/env node
// For binding.gyp: finds BLAKE3's official C sources, links them at the path given as the
// argument (inside the build folder: gyp makes rules only for sources below the .gyp file)
// and prints that path; prints nothing when this machine has none (the addon then builds without BLAKE3, and vigil hashes BLAKE3 with
// @napi-rs/blake-hash as before). Debian's librust-blake3-dev puts them in the crate's c/
// folder under /usr/share/cargo/registry (scripts/install-system-deps.sh installs it); the
// newest version there wins. VIGIL_BLAKE3_SOURCES names another folder, or, when empty,
// builds without them.
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

const REGISTRY = '/usr/share/cargo/registry';
// The files binding.gyp compiles: a folder that lacks one is not used.
const NEEDED = ['blake3.h', 'blake3.c', 'blake3_dispatch.c', 'blake3_portable.c'];

function complete(dir) {
  return NEEDED.every((file) => existsSync(join(dir, file)));
}

/** "1.3.1" -> [1, 3, 1], to order versions numerically. */
function versionOf(name) {
  return name
    .slice('blake3-'.length)
    .split(/[.+-]/)
    .map((part) => Number.parseInt(part, 10) || 0);
}

function newestFirst(a, b) {
  const [x, y] = [versionOf(a), versionOf(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
  }
  return 0;
}

function findSources() {
  const chosen = process.env.VIGIL_BLAKE3_SOURCES;
  if (chosen !== undefined && chosen !== '' && !complete(chosen)) {
    process.stderr.write(
      `vigil: VIGIL_BLAKE3_SOURCES=${chosen} lacks ${NEEDED.join(', ')}; building without BLAKE3 in C\n`,
    );
  }
  if (chosen !== undefined) return chosen !== '' && complete(chosen) ? chosen : '';
  if (!existsSync(REGISTRY)) return '';
  const crates = readdirSync(REGISTRY).filter((name) => /^blake3-\d/.test(name));
  for (const crate of crates.sort(newestFirst)) {
    const dir = join(REGISTRY, crate, 'c');
    if (complete(dir)) return dir;
  }
  return '';
}

const link = process.argv[2];
if (link === undefined) {
  console.error('usage: blake3-sources.mjs LINK (where to link the sources folder, e.g. build/blake3-c)');
  process.exit(2);
}
const sources = findSources();
rmSync(link, { force: true });
if (sources !== '') {
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(sources, link);
  process.stdout.write(link);
}
