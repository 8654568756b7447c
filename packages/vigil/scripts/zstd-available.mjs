#!/usr/bin/env node
// For binding.gyp: prints yes when this machine can build the addon with libzstd (Debian's
// libzstd-dev: zstd.h and the libzstd.so link; scripts/install-system-deps.sh installs it),
// else no, and the addon builds without it (vigil then compresses with node:zlib's zstd on
// Node >= 22.15, or with zstd compiled to WebAssembly; see src/repo/compression.ts).
// VIGIL_ZSTD=0 builds without it on any machine.
import { existsSync } from 'node:fs';

const HEADERS = ['/usr/include/zstd.h', '/usr/local/include/zstd.h'];
const LIBRARIES = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

const found =
  process.env.VIGIL_ZSTD !== '0' &&
  HEADERS.some((path) => existsSync(path)) &&
  LIBRARIES.some((dir) => existsSync(`${dir}/libzstd.so`));
process.stdout.write(found ? 'yes' : 'no');
