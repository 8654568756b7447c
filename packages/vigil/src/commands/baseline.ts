/**
 * `vigil baseline DIR`: scans the tree on all cores and writes what it found (stat, link
 * target, content hash, extended attributes of every entry) into a new SQLite baseline,
 * atomically.
 */
import { resolve } from 'node:path';
import { nowNs } from '../baseline/fast-path.js';
import { alwaysExcluded } from '../baseline/location.js';
import { scanTree } from '../baseline/scan-tree.js';
import { loadSigningKey, signatureFor } from '../baseline/signature.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { xattrsUnreadableBecause } from '../fs/reader.js';
import { createHashPools } from '../pool/hash-pools.js';
import { readingCounterFor } from '../pool/worker-pool.js';
import { quotePath } from '../report/quote-path.js';
import { VIGIL_VERSION } from '../version.js';
import type { CommandHooks } from './hooks.js';
import { writeNewBaseline } from './new-baseline.js';
import { colorsFor, createProgress, resolveAlgorithm } from './setup.js';
import { locateBaseline, type ScanCommandOptions, type SignOptions } from './tree-baseline.js';

export interface BaselineOptions extends ScanCommandOptions, SignOptions {
  readonly algo?: string;
  readonly exclude?: readonly string[];
  /** Hash on `tandem worker` hosts through this Redis (with `queue`) instead of local threads. */
  readonly redis?: string;
  readonly queue?: string;
}

export async function baseline(options: BaselineOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const { root, dbPath } = locateBaseline(options);
  const algorithm = resolveAlgorithm(options.algo);
  const excludes = [...(options.exclude ?? [])];
  // Read the key before the scan: a wrong path should not cost a scan of the whole tree.
  const signingKey = options.signKey === undefined ? undefined : loadSigningKey(options.signKey);
  const scanStartedNs = nowNs();
  return writeNewBaseline(dbPath, algorithm, async (writer) => {
    const progress = createProgress(options.progress);
    const pools = createHashPools('vigil-baseline', options);
    const colors = colorsFor(process.stderr);
    let problems = 0;
    const xattrsUnreadable = xattrsUnreadableBecause();
    // Its rows then hold no record of them (NULL), which a later check does not compare.
    if (xattrsUnreadable) progress.log(`vigil: extended attributes not recorded: ${xattrsUnreadable}`);
    try {
      const totals = await scanTree({
        root,
        excludes: excludes,
        alwaysExcluded: alwaysExcluded(root, dbPath),
        pools,
        algorithm,
        stored: undefined,
        recordedAtNs: scanStartedNs,
        full: true,
        progress,
        reading: readingCounterFor(options, progress),
        inspectBatch: hooks.inspectBatch,
        onEntry: (_stored, scanned) => {
          if (scanned === undefined) return;
          if (scanned.kind === 'state') {
            writer.put(scanned.state);
            return;
          }
          // Recorded without a hash: a later check reads it again and says what it finds.
          problems++;
          if (scanned.state) writer.put(scanned.state);
          const why =
            scanned.kind === 'unstable' ? 'changed while being read; recorded without a hash' : scanned.message;
          progress.log(colors.red(`vigil: ${quotePath(scanned.path)}: ${why}`));
        },
      });
      progress.stop();
      writer.commit(
        {
          algorithm,
          excludes,
          scanStartedNs,
          writtenAt: new Date().toISOString(),
          root: resolve(root),
          vigilVersion: VIGIL_VERSION,
        },
        signingKey && ((file) => signatureFor(file, signingKey)),
      );
      process.stdout.write(
        `Baseline of ${writer.count} entries (${totals.hashed} files hashed with ${algorithm}) written to ${dbPath}\n`,
      );
      return exitCodeForOutcome({ failures: problems });
    } finally {
      progress.stop();
      await pools.terminate();
    }
  });
}
