/**
 * Records the fingerprint of every file under a directory, for integrity-shared to check
 * against later.
 *
 *   node --import tsx examples/integrity-shared/make-baseline.ts <dir> <baseline.json>
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Baseline, filesUnder, fingerprint } from './fingerprint.ts';

const [dir, out] = process.argv.slice(2);
if (dir === undefined || out === undefined) {
  console.error('usage: make-baseline.ts <dir> <baseline.json>');
  process.exit(2);
}

const baseline: Baseline = { files: {} };
for (const path of await filesUnder(dir)) {
  const { digest, size, mtimeNs } = await fingerprint(join(dir, path));
  baseline.files[path] = { md5: digest.toString(16).padStart(16, '0'), size: String(size), mtimeNs: String(mtimeNs) };
}
await writeFile(out, `${JSON.stringify(baseline, null, 2)}\n`);
console.log(`baseline of ${Object.keys(baseline.files).length} files written to ${out}`);
