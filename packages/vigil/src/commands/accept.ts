/**
 * `vigil accept DIR [PATH...]`: takes the tree's current state into the baseline, for all
 * paths or only the named ones (and everything under a named directory). A new database is
 * written beside the old one and renamed over it, as `vigil baseline` does; files the fast
 * path trusts keep their recorded hash without being read.
 */
import { compareEntry } from '../baseline/compare.js';
import type { EntryState } from '../baseline/entry.js';
import { nowNs } from '../baseline/fast-path.js';
import { scanTree } from '../baseline/scan-tree.js';
import { loadSigningKey, loadVerifyingKey, signatureFor, verifyBaseline } from '../baseline/signature.js';
import { BaselineReader } from '../baseline/store.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { isWithin, relativeInside } from '../fs/containment.js';
import { xattrsUnreadableBecause } from '../fs/reader.js';
import { createHashPools } from '../pool/hash-pools.js';
import { readingCounterFor } from '../pool/worker-pool.js';
import { quotePath } from '../report/quote-path.js';
import { VIGIL_VERSION } from '../version.js';
import type { CommandHooks } from './hooks.js';
import { writeNewBaseline } from './new-baseline.js';
import { createProgress, resolveAlgorithm } from './setup.js';
import {
  locateBaseline,
  type ScanCommandOptions,
  type SignOptions,
  scanAgainst,
  type VerifyOptions,
} from './tree-baseline.js';

export interface AcceptOptions extends ScanCommandOptions, SignOptions, VerifyOptions {
  /** Accept only these paths (and what lies under them); all when empty. */
  readonly paths: readonly string[];
}

export async function accept(options: AcceptOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const { root, dbPath } = locateBaseline(options);
  const selected = options.paths.map((p) => selectionOf(root, p));
  const chosen = (path: Buffer) => selected.length === 0 || selected.some((s) => isWithin(path, s));
  const signingKey = options.signKey === undefined ? undefined : loadSigningKey(options.signKey);
  const reader = BaselineReader.open(dbPath);
  if (options.verifyKey !== undefined) {
    try {
      verifyBaseline(dbPath, loadVerifyingKey(options.verifyKey));
    } catch (error) {
      reader.close();
      throw error;
    }
  }
  const algorithm = resolveAlgorithm(reader.meta.algorithm);
  const scanStartedNs = nowNs();
  return writeNewBaseline(dbPath, algorithm, async (writer) => {
    const progress = createProgress(options.progress);
    const pools = createHashPools('vigil-accept', { jobs: options.jobs });
    let accepted = 0;
    let keptOld = false;
    let problems = 0;
    const xattrsUnreadable = xattrsUnreadableBecause();
    if (xattrsUnreadable) {
      progress.log(`vigil: extended attributes not read: ${xattrsUnreadable}; those already recorded are kept`);
    }
    try {
      await scanTree({
        ...scanAgainst(reader, root, dbPath),
        pools,
        algorithm,
        full: false,
        progress,
        reading: readingCounterFor({ jobs: options.jobs }, progress),
        inspectBatch: hooks.inspectBatch,
        onEntry: (stored, scanned) => {
          const path = stored?.path ?? (scanned?.kind === 'state' ? scanned.state.path : scanned?.path);
          const keep = (row: EntryState | undefined) => {
            if (row === undefined) return;
            writer.put(row);
            keptOld = true;
          };
          if (path === undefined || !chosen(path)) return keep(stored);
          if (scanned !== undefined && scanned.kind !== 'state') {
            // Nothing trustworthy to accept: the recorded state stays.
            problems++;
            progress.log(
              `vigil: ${quotePath(scanned.path)}: ${scanned.kind === 'unstable' ? 'changed while being read' : scanned.message}; not accepted`,
            );
            return keep(stored);
          }
          if (compareEntry(stored, scanned).length > 0) accepted++;
          if (scanned === undefined) return;
          // Attributes not read (no native reader, or not readable now) keep their record: a
          // later check still compares them, rather than the record being lost unseen.
          const xattrs = scanned.state.xattrs ?? stored?.xattrs;
          writer.put(xattrs === scanned.state.xattrs ? scanned.state : { ...scanned.state, xattrs });
        },
      });
      progress.stop();
      writer.commit(
        {
          ...reader.meta,
          // Rows kept from the old baseline were recorded after its scan began: the earlier
          // reference keeps the racy-timestamp rule sound for them.
          scanStartedNs:
            keptOld && reader.meta.scanStartedNs < scanStartedNs ? reader.meta.scanStartedNs : scanStartedNs,
          writtenAt: new Date().toISOString(),
          vigilVersion: VIGIL_VERSION,
        },
        signingKey && ((file) => signatureFor(file, signingKey)),
      );
      process.stdout.write(
        `Accepted ${accepted} changed entries; the baseline holds ${writer.count} entries (${dbPath})\n`,
      );
      return exitCodeForOutcome({ failures: problems });
    } finally {
      progress.stop();
      reader.close();
      await pools.terminate();
    }
  });
}

/** A PATH as typed from the current directory, made relative to the root; it must lie inside it. */
function selectionOf(root: string, path: string): Buffer {
  const inside = relativeInside(root, path);
  if (inside === undefined) {
    throw new UsageError(`${path} is not inside ${root}: name paths as you would from here (e.g. ${root}/file)`);
  }
  return Buffer.from(inside);
}
