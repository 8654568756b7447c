/** vigil hash's edge cases (edge-cases.ts) with the JavaScript reader the workers fall back to. */
import { statfsSync } from 'node:fs';
import { describeEdgeCases } from './edge-cases.js';

/** tmpfs's magic number in statfs(2): this reader reads holes, and tmpfs reads them for free. */
const TMPFS_MAGIC = 0x01021994;
const onTmpfs = (path: string) => {
  try {
    return statfsSync(path).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
};

describeEdgeCases({
  name: 'JavaScript reader',
  env: { VIGIL_NATIVE: '0' },
  sparseParent: onTmpfs('/dev/shm') ? '/dev/shm' : undefined,
});
