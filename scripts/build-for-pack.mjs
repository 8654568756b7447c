#!/usr/bin/env node
// `prepack` of each package (npm runs it in the package's folder before `npm pack` and
// `npm publish`): a tarball must hold what the sources build to now, so dist/ is removed
// (nothing left over from renamed or deleted files) and built again.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '--build', '.'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
